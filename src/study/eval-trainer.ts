// The trainer of the study's evaluation step: the evaluation's own (src/evaluate/trainer.ts), which honours
// PYRAMID_NAS_TRAINER as the campaigns' trial processes do, so a whole study runs end to end without training.
export { evalTrainer as studyEvalTrainer } from '../evaluate/trainer.js';
