// The trainer's own constants, beyond the proxy task every trial carries (src/trial/proxy-task.ts).

/** Seed offset between the runs of one trial (a prime, so run seeds of nearby trial seeds do not collide). */
export const RUN_SEED_STRIDE = 7919;
