// One process-pool slot: a child process (forked by process-pool.ts) that runs trials one at a time
// through the sandboxed processor. Protocol (IPC messages):
//   parent → child  { type: 'run', id, data }
//   child → parent  { type: 'ready' } | { type: 'progress', id, progress } | { type: 'done', id, result, rssMB }
//                   | { type: 'error', id, error: { name, message }, rssMB }
// rssMB is this process's resident memory after the trial: the parent recycles a child that holds too much.
import processJob from './sandboxed-processor.js';

interface RunMessage {
  type: 'run';
  id: number;
  data: unknown;
}

const rssMB = () => Math.round(process.memoryUsage.rss() / (1024 * 1024));

process.on('message', async (msg: Partial<RunMessage> | null) => {
  if (!msg || msg.type !== 'run') return;
  const { id, data } = msg as RunMessage;
  const job = { data, updateProgress: async (progress: unknown) => process.send?.({ type: 'progress', id, progress }) };
  try {
    const result = await processJob(job, undefined, undefined);
    process.send?.({ type: 'done', id, result, rssMB: rssMB() });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    process.send?.({ type: 'error', id, error: { name: e.name, message: e.message }, rssMB: rssMB() });
  }
});
process.send?.({ type: 'ready' });
