// The public API of pyramid-nas. Re-export each module's public surface here (one line per module).
export * from './graph/index.js';
export * from '../search-spaces/index.js';
export * from '../controllers/index.js';
export * from './data/index.js';
export * from './eval/index.js';
export * from './backend/index.js';
export * from './detector/index.js';
export * from './train/index.js';
export * from './campaign/index.js';
export * from './dashboard/index.js';
