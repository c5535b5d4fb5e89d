// The proxy detector (docs/proxy-task.md): backbone, the neck interpreter, RetinaNet head, anchors, losses, decoding.
export { Detector, type DetectorOptions, type HeadOutput } from './model.js';
export { joinLevels, type LevelOutputs } from './head.js';
export { buildPyramid, liveNodes, type Pyramid, type PyramidOptions } from './pyramid.js';
export { buildFusion, WEIGHTED_EPSILON, type Fusion } from './fusion.js';
export { levelSize, resample } from './resample.js';
export { makeAnchors, ASPECT_RATIOS, type AnchorSet } from './anchors.js';
export { assignTargets, POSITIVE_IOU, NEGATIVE_IOU, type BatchTargets } from './targets.js';
export {
  detectionLoss,
  fusedDetectionLoss,
  type DetectionLoss,
  focalLoss,
  smoothL1Loss,
  targetTensors,
  disposeTargets,
  FOCAL_ALPHA,
  FOCAL_GAMMA,
  type TargetTensors,
} from './loss.js';
export { decodeDetections, SCORE_THRESHOLD, MAX_DETECTIONS, type Detection } from './decode.js';
export { ParamStore, type ParamGroup } from './params.js';
export {
  updateMovingStats,
  batchNormTrainingReference,
  fusedBatchNormTraining,
  type RunContext,
  type BatchNormStat,
} from './layers.js';
export { singleLevelGraph } from './baseline.js';
export { exportCheckpoint, importCheckpoint, CHECKPOINT_FORMAT, type Checkpoint } from './checkpoint.js';
