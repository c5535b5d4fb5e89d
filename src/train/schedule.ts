// Learning-rate schedule: linear warm-up to the peak, then cosine decay to zero at the last step.
export function learningRateAt(step: number, steps: number, peak: number, warmup: number): number {
  if (warmup > 0 && step < warmup) return (peak * (step + 1)) / warmup;
  const span = Math.max(1, steps - warmup);
  const t = Math.min(1, (step - warmup) / span);
  return 0.5 * peak * (1 + Math.cos(Math.PI * t));
}
