// A self-contained SVG picture of a pyramid graph (no fonts, scripts or links to fetch). Levels are rows,
// finest at the top; backbone features C<l> sit in the left column, outputs P<l> in the right one; nodes
// are coloured by fusion op (legend at the bottom) and name their post-op; repeats read "×N" in the title.
// Every piece of text from the graph goes through escapeXml.
import { RESERVED_ID } from './live.js';
import { escapeXml, layout, OP_COLORS, POST_LABELS, truncate } from './render-common.js';
import { FUSION_OPS, type PyramidGraph } from './types.js';

const COL_W = 160,
  ROW_H = 76,
  BOX_W = 132,
  BOX_H = 44,
  LEFT = 96,
  TOP = 58,
  PORT_W = 44;

export function renderSvg(graph: PyramidGraph): string {
  const { levels, nodes, columns } = layout(graph);
  const rowOf = new Map(levels.map((l, r) => [l, r]));
  const cy = (level: number) => TOP + (rowOf.get(level) ?? 0) * ROW_H + ROW_H / 2;
  const cx = (column: number) => LEFT + column * COL_W + COL_W / 2;
  const outColumn = columns + 1;
  // Wide enough for the graph and for the op legend (one swatch per op in one row).
  const legendWidth = 78 + FUSION_OPS.reduce((w, op) => w + 36 + op.length * 7, 0);
  const width = Math.max(LEFT + (outColumn + 1) * COL_W + 10, legendWidth);
  const legendY = TOP + levels.length * ROW_H + 16;
  const height = legendY + (graph.feedback ? 88 : 72);

  // Where each id's box is; first occurrence wins (a duplicate id only happens in unvalidated input).
  const at = new Map<string, { x: number; y: number }>();
  for (const n of nodes) if (!at.has(n.id)) at.set(n.id, { x: cx(n.column), y: cy(n.level) });
  const source = (ref: string) => {
    if (RESERVED_ID.test(ref)) return { x: cx(0) + PORT_W / 2, y: cy(Number(ref.slice(1))) };
    const p = at.get(ref);
    return p ? { x: p.x + BOX_W / 2, y: p.y } : undefined;
  };

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
  );
  out.push(
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  const reps = graph.repeats > 1 ? ` · cell ×${graph.repeats}` : '';
  const fb = graph.feedback;
  const loop = fb ? ` · backbone feedback: ${fb.steps} passes, fuse ${fb.fuse}` : '';
  out.push(
    `<text x="12" y="24" font-size="15" font-weight="bold">${escapeXml(truncate(graph.name || '(unnamed)', 80))}</text>`,
  );
  out.push(
    `<text x="12" y="42" fill="#444">levels ${graph.levels.min}..${graph.levels.max} · ${graph.channels} channels${reps} · ${nodes.length} nodes${loop}</text>`,
  );

  // Level rows with their labels.
  levels.forEach((l, r) => {
    const y = TOP + r * ROW_H;
    if (r % 2 === 0) out.push(`<rect x="0" y="${y}" width="${width}" height="${ROW_H}" fill="#f6f7f9"/>`);
    out.push(`<text x="10" y="${y + ROW_H / 2 + 4}" fill="#333">level ${l}</text>`);
    out.push(`<text x="10" y="${y + ROW_H / 2 + 17}" fill="#888" font-size="9">stride ${2 ** l}</text>`);
  });

  // Edges first so boxes draw over them.
  const edge = (from: { x: number; y: number }, to: { x: number; y: number }, dashed: boolean) => {
    let d: string;
    if (Math.abs(to.y - from.y) < 1 && to.x - from.x > COL_W) {
      // A long edge inside one row would run through the boxes between: climb into the gap above the
      // boxes right after the source, run along it, and drop in the gap just before the target.
      const top = from.y - ROW_H / 2 + 5;
      d = `M${from.x},${from.y} C${from.x + 14},${from.y} ${from.x + 8},${top} ${from.x + 24},${top} L${to.x - 24},${top} C${to.x - 8},${top} ${to.x - 14},${to.y} ${to.x},${to.y}`;
    } else {
      const dx = Math.max(30, (to.x - from.x) / 2);
      d = `M${from.x},${from.y} C${from.x + dx},${from.y} ${to.x - dx},${to.y} ${to.x},${to.y}`;
    }
    out.push(
      `<path d="${d}" fill="none" stroke="#555" stroke-width="1.2"${dashed ? ' stroke-dasharray="4 3" opacity="0.5"' : ''} marker-end="url(#arrow)"/>`,
    );
  };
  for (const n of nodes) {
    const node = graph.nodes[n.index];
    const to = { x: cx(n.column) - BOX_W / 2, y: cy(n.level) };
    node.inputs.forEach((ref, slot) => {
      const from = source(ref);
      if (!from) return;
      // attention is ordered ([f, g], g the coarser): spread the two arrowheads so the order is visible.
      // cross-attention likewise: upper arrow the queries, lower arrow the keys and values.
      const ordered = node.op === 'attention' || node.op === 'cross-attention';
      const target = ordered ? { x: to.x, y: to.y + (slot === 0 ? -8 : 8) } : to;
      edge(from, target, !n.live);
    });
  }
  for (const [key, id] of Object.entries(graph.outputs)) {
    const m = /^P([0-9]+)$/.exec(key);
    const p = at.get(id);
    if (m && p && rowOf.has(Number(m[1])))
      edge({ x: p.x + BOX_W / 2, y: p.y }, { x: cx(outColumn) - PORT_W / 2, y: cy(Number(m[1])) }, false);
  }

  // Feedback: a red dashed loop from each fed-back node down and back to the backbone feature it enters.
  for (const [key, id] of Object.entries(fb?.from ?? {})) {
    const p = at.get(id);
    const l = Number(key.slice(1));
    if (!p || !rowOf.has(l)) continue;
    const from = { x: p.x, y: p.y + BOX_H / 2 };
    const to = { x: cx(0), y: cy(l) + 15 };
    const low = Math.max(from.y, to.y) + ROW_H / 2 - 6;
    out.push(
      `<path d="M${from.x},${from.y} C${from.x},${low} ${to.x},${low} ${to.x},${to.y}" fill="none" stroke="#c0392b" stroke-width="1.4" stroke-dasharray="6 3" marker-end="url(#arrow)"><title>${escapeXml(`feedback: ${id} → ${key}`)}</title></path>`,
    );
  }

  // Backbone inputs and outputs.
  for (const l of levels) {
    out.push(
      `<rect x="${cx(0) - PORT_W / 2}" y="${cy(l) - 15}" width="${PORT_W}" height="30" rx="3" fill="#d9d9d9" stroke="#666"/>`,
    );
    out.push(`<text x="${cx(0)}" y="${cy(l) + 4}" text-anchor="middle" font-weight="bold">C${l}</text>`);
    out.push(
      `<circle cx="${cx(outColumn)}" cy="${cy(l)}" r="${PORT_W / 2}" fill="#ffffff" stroke="#222" stroke-width="2"/>`,
    );
    out.push(`<text x="${cx(outColumn)}" y="${cy(l) + 4}" text-anchor="middle" font-weight="bold">P${l}</text>`);
  }

  // Nodes: id on the first line, op → post on the second.
  for (const n of nodes) {
    const node = graph.nodes[n.index];
    const x = cx(n.column) - BOX_W / 2,
      y = cy(n.level) - BOX_H / 2;
    const fill = OP_COLORS[node.op] ?? '#ffffff';
    const dash = n.live ? '' : ' stroke-dasharray="4 3" opacity="0.55"';
    out.push(
      `<g><title>${escapeXml(`${node.id}: ${node.op}(${node.inputs.join(', ')}) → ${node.post}${n.live ? '' : ' (dead: reaches no output)'}`)}</title>`,
    );
    out.push(`<rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="7" fill="${fill}" stroke="#333"${dash}/>`);
    out.push(
      `<text x="${x + BOX_W / 2}" y="${y + 17}" text-anchor="middle" font-weight="bold">${escapeXml(truncate(node.id, 17))}</text>`,
    );
    out.push(
      `<text x="${x + BOX_W / 2}" y="${y + 33}" text-anchor="middle" fill="#222">${escapeXml(`${node.op} → ${POST_LABELS[node.post] ?? node.post}`)}</text></g>`,
    );
  }

  // Legend: one swatch per op, then the line styles.
  let lx = 12;
  out.push(`<text x="${lx}" y="${legendY + 4}" fill="#333">fusion op:</text>`);
  lx += 66;
  for (const op of FUSION_OPS) {
    out.push(
      `<rect x="${lx}" y="${legendY - 8}" width="16" height="14" rx="3" fill="${OP_COLORS[op]}" stroke="#333"/>`,
    );
    out.push(`<text x="${lx + 21}" y="${legendY + 4}">${op}</text>`);
    lx += 36 + op.length * 7;
  }
  out.push(
    `<text x="12" y="${legendY + 30}" fill="#555">box: id, then op → post-op · dashed: dead node · inputs are resampled to the node's level</text>`,
  );
  out.push(
    `<text x="12" y="${legendY + 46}" fill="#555">attention: upper arrow f, lower arrow g (coarser) · cross-attention: upper arrow the queries, lower arrow the keys and values</text>`,
  );
  if (fb)
    out.push(
      `<text x="12" y="${legendY + 62}" fill="#555">red dashed loop: a node fed back into the backbone level it enters; the backbone and the neck run ${fb.steps} times</text>`,
    );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
