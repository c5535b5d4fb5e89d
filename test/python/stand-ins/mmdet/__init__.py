"""Stand-in for mmdetection 3.x: only mmdet.registry.MODELS (see ../README.md)."""
