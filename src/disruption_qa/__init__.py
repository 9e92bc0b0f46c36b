"""disruption-qa: data-quality checks for SOC disruption records exported from APMIS."""

__version__ = "0.2.0"
