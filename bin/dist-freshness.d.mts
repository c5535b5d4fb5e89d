/** Why dist/ must not run in the clone at `root` (a path ending in '/'), or undefined when it is current. */
export function staleReason(root: string): string | undefined;
