// Mermaid flowchart. Mermaid ids are generated (n0, n1, …) and every label character outside a small safe
// set is written as a numeric entity (#60;), so a name or id can never inject syntax.
import { liveNodeIds, RESERVED_ID } from './live.js';
import { OP_COLORS, POST_LABELS } from './render-common.js';
import { FUSION_OPS, type PyramidGraph } from './types.js';

function label(text: string): string {
  return `"${[...text].map((ch) => (/^[A-Za-z0-9 _.,:()×→—-]$/.test(ch) ? ch : `#${ch.codePointAt(0)};`)).join('')}"`;
}

export function renderMermaid(graph: PyramidGraph): string {
  const live = liveNodeIds(graph);
  const key = new Map<string, string>();
  graph.nodes.forEach((n, i) => {
    if (!key.has(n.id)) key.set(n.id, `n${i}`);
  });
  const ref = (r: string) => (RESERVED_ID.test(r) ? r : (key.get(r) ?? `missing_${label(r)}`));
  const lines = ['flowchart LR'];
  lines.push(`  %% ${label(graph.name)} channels=${graph.channels} repeats=${graph.repeats}`);
  for (let l = graph.levels.min; l <= graph.levels.max; l++)
    lines.push(`  C${l}[${label(`C${l}`)}]`, `  P${l}((${label(`P${l}`)}))`);
  graph.nodes.forEach((n, i) => {
    lines.push(
      `  n${i}[${label(`${n.id} L${n.level} ${n.op} → ${POST_LABELS[n.post]}`)}]:::${className(n.op)}${live.has(n.id) ? '' : 'Dead'}`,
    );
  });
  graph.nodes.forEach((n, i) => n.inputs.forEach((r) => lines.push(`  ${ref(r)} --> n${i}`)));
  for (const [k, id] of Object.entries(graph.outputs))
    if (key.has(id) && /^P[0-9]+$/.test(k)) lines.push(`  ${key.get(id)} --> ${k}`);
  for (const [k, id] of Object.entries(graph.feedback?.from ?? {}))
    if (key.has(id) && RESERVED_ID.test(k)) lines.push(`  ${key.get(id)} -. feedback .-> ${k}`);
  for (const op of FUSION_OPS) {
    lines.push(`  classDef ${className(op)} fill:${OP_COLORS[op]},stroke:#333`);
    lines.push(`  classDef ${className(op)}Dead fill:${OP_COLORS[op]},stroke:#999,stroke-dasharray:4 3`);
  }
  return `${lines.join('\n')}\n`;
}

/** Mermaid class names are plain words: `self-attention` → `self_attention`. */
function className(op: string): string {
  return op.replace(/-/g, '_');
}
