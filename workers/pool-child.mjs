// One embedded-pool slot: a child process (forked by process-pool.ts) that runs trials one at a time
// through the same sandboxed processor BullMQ workers use. Protocol (IPC messages):
//   parent → child  { type: 'run', id, data }
//   child → parent  { type: 'ready' } | { type: 'progress', id, progress } | { type: 'done', id, result }
//                   | { type: 'error', id, error: { name, message } }
const { default: processJob } = await import('./sandboxed-processor.mjs');

process.on('message', async (msg) => {
  if (!msg || msg.type !== 'run') return;
  const job = { data: msg.data, updateProgress: async (progress) => process.send?.({ type: 'progress', id: msg.id, progress }) };
  try {
    const result = await processJob(job, undefined, undefined);
    process.send?.({ type: 'done', id: msg.id, result });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    process.send?.({ type: 'error', id: msg.id, error: { name: e.name, message: e.message } });
  }
});
process.send?.({ type: 'ready' });
