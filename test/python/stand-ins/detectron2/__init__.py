"""Stand-in for detectron2: only detectron2.modeling (see ../README.md)."""
