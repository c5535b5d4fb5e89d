# mmdetection 3.x: RetinaNet R-50 with the pyramid-nas neck "pyramids" (PyramidNasNeck_f0388dbfbf2c).
# Levels P3..P5 (anchor strides 8, 16, 32); images padded to a multiple of 32.
# Put pyramids.py on PYTHONPATH; the neck registers itself in mmdet's MODELS when imported.
_base_ = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'

custom_imports = dict(imports=["pyramids"], allow_failed_imports=False)

model = dict(
    data_preprocessor=dict(pad_size_divisor=32),
    backbone=dict(out_indices=(1, 2, 3)),
    neck=dict(
        _delete_=True,
        type="PyramidNasNeck_f0388dbfbf2c",
        in_channels=[512, 1024, 2048],
        out_channels=256,
        start_level=0,
        num_outs=3,
        norm_cfg=dict(type='BN', requires_grad=True),
    ),
    bbox_head=dict(
        in_channels=256,
        feat_channels=256,
        anchor_generator=dict(type='AnchorGenerator', octave_base_scale=4, scales_per_octave=3,
                              ratios=[0.5, 1.0, 2.0], strides=[8, 16, 32]),
    ),
)
