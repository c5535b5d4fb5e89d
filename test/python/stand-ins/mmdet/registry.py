"""Stand-in for mmdet.registry: a MODELS registry with mmengine's register_module/build calling convention."""


class Registry:
    def __init__(self, name):
        self.name = name
        self.modules = {}

    def register_module(self, name=None, force=False, module=None):
        def register(cls):
            key = name or cls.__name__
            if key in self.modules and not force:
                raise KeyError(f"{key} is already registered in {self.name}")
            self.modules[key] = cls
            return cls

        return register(module) if module is not None else register

    def build(self, cfg):
        cfg = dict(cfg)
        kind = cfg.pop("type")
        if kind not in self.modules:
            raise KeyError(f"{kind} is not in the {self.name} registry")
        return self.modules[kind](**cfg)


MODELS = Registry("model")
