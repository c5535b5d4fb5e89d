// Graphviz DOT: backbone features on the left, one rank per level, outputs on the right.
import { liveNodeIds, RESERVED_ID } from './live.js';
import { OP_COLORS, POST_LABELS } from './render-common.js';
import type { PyramidGraph } from './types.js';

/** A DOT double-quoted string (every id and label goes through this, so no text can break out). */
function q(text: string): string {
  return `"${text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r?\n|\r/g, '\\n')}"`;
}

export function renderDot(graph: PyramidGraph): string {
  const live = liveNodeIds(graph);
  const nodeKey = (id: string) => q(`node:${id}`);
  const lines: string[] = [];
  const title = `${graph.name} — ${graph.channels} ch${graph.repeats > 1 ? `, ×${graph.repeats}` : ''}`;
  lines.push(`digraph ${q(graph.name || 'pyramid')} {`);
  lines.push(`  label=${q(title)}; labelloc=t; rankdir=LR; fontname="Helvetica";`);
  lines.push('  node [fontname="Helvetica", fontsize=10]; edge [color="#555555"];');
  for (let l = graph.levels.min; l <= graph.levels.max; l++) {
    lines.push(`  ${q(`C${l}`)} [shape=box, style=filled, fillcolor="#e0e0e0", label=${q(`C${l}`)}];`);
    lines.push(`  ${q(`P${l}`)} [shape=doublecircle, label=${q(`P${l}`)}];`);
  }
  graph.nodes.forEach((node) => {
    const style = live.has(node.id) ? 'filled,rounded' : 'filled,rounded,dashed';
    const label = `${node.id}\nL${node.level} ${node.op} → ${POST_LABELS[node.post]}`;
    lines.push(
      `  ${nodeKey(node.id)} [shape=box, style=${q(style)}, fillcolor=${q(OP_COLORS[node.op])}, label=${q(label)}];`,
    );
  });
  graph.nodes.forEach((node) => {
    node.inputs.forEach((ref, slot) => {
      const from = RESERVED_ID.test(ref) ? q(ref) : nodeKey(ref);
      const attr = node.op === 'attention' ? ` [label=${q(String(slot))}]` : '';
      lines.push(`  ${from} -> ${nodeKey(node.id)}${attr};`);
    });
  });
  for (const [key, id] of Object.entries(graph.outputs)) lines.push(`  ${nodeKey(id)} -> ${q(key)};`);
  for (const [key, id] of Object.entries(graph.feedback?.from ?? {}))
    lines.push(`  ${nodeKey(id)} -> ${q(key)} [style=dashed, color="#c0392b", label="feedback", constraint=false];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
