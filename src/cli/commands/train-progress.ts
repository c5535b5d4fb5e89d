// The `train` command's progress display on stderr: a cli-progress bar on a terminal, a line every 10% of
// the steps otherwise (logs and CI).
import cliProgress from 'cli-progress';

export interface Progress {
  update(p: { step: number; steps: number; loss: number; imagesPerSecond: number }): void;
  stop(): void;
}

export function createProgress(steps: number): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: 'train [{bar}] {value}/{total} steps | loss {loss} | {ips} imgs/s | eta {eta_formatted}',
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(steps, 0, { loss: '-', ips: '-' });
    let stopped = false;
    return {
      update: (p) => bar.update(p.step, { loss: p.loss.toFixed(4), ips: p.imagesPerSecond.toFixed(0) }),
      stop: () => {
        if (!stopped) bar.stop();
        stopped = true;
      },
    };
  }
  const every = Math.max(1, Math.round(steps / 10));
  return {
    update: (p) => {
      if (p.step % every === 0 || p.step === p.steps) {
        console.error(
          `train step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)} ${p.imagesPerSecond.toFixed(0)} imgs/s`,
        );
      }
    },
    stop: () => undefined,
  };
}
