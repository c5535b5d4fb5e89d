// The public API of pyramid-nas. Re-export each module's public surface here (one line per module).
export * from './graph/types.js';
