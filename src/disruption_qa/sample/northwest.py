PRESETS = {}
def generate_preset(name, out):
    raise NotImplementedError
