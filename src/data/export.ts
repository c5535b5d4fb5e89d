// Write a split of a proxy dataset as a COCO-format folder: images/<id>.png (lossless), instances.json,
// and pyramid-nas.split.json (so the folder loads back as the same split). Everything is written into a
// temporary sibling folder that is renamed into place at the end: an error leaves nothing half-written.
// Never under /proc, /sys or /dev (the campaign outputs' rule).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import sharp from 'sharp';

import { ensureDir, writeFileAtomic } from '../campaign/atomic.js';
import { refuseSystemPath } from '../campaign/output-folder.js';
import { DatasetError } from './errors.js';
import { SPLIT_FILE_NAME, SPLIT_FORMAT, type SplitFile } from './split-file.js';
import type { DetectionSample, ProxyDataset, SplitName } from './types.js';

export interface ExportOptions {
  split: SplitName;
  out: string;
  /** Replace `out` if it exists (otherwise that is an error). */
  force?: boolean;
  /** Recorded in pyramid-nas.split.json as provenance (dataset, seed, size…). */
  source?: Record<string, unknown>;
}

export interface ExportResult {
  out: string;
  images: number;
  annotations: number;
}

const ENCODE_CONCURRENCY = 8;

export function imageFileName(cocoImageId: number): string {
  return `${String(cocoImageId).padStart(12, '0')}.png`;
}

async function writePng(file: string, s: DetectionSample): Promise<void> {
  await sharp(Buffer.from(s.pixels.buffer, s.pixels.byteOffset, s.pixels.byteLength), {
    raw: { width: s.width, height: s.height, channels: 3 },
  })
    .png({ compressionLevel: 6 })
    .toFile(file);
}

/** Build the instances document for samples (COCO image id = sample id + 1). */
export function cocoInstancesOf(dataset: ProxyDataset, samples: readonly DetectionSample[]): Record<string, unknown> {
  let annId = 0;
  return {
    info: { description: `pyramid-nas proxy dataset ${dataset.name}`, version: '1' },
    images: samples.map((s) => ({
      id: s.id + 1,
      file_name: imageFileName(s.id + 1),
      width: s.width,
      height: s.height,
    })),
    annotations: samples.flatMap((s) =>
      s.boxes.map((b) => ({
        id: ++annId,
        image_id: s.id + 1,
        category_id: dataset.categories[b.category].cocoId,
        bbox: b.bbox,
        area: b.area,
        iscrowd: b.iscrowd ?? 0,
      })),
    ),
    categories: dataset.categories.map((c) => ({ id: c.cocoId, name: c.name, supercategory: dataset.name })),
  };
}

export async function exportCoco(dataset: ProxyDataset, o: ExportOptions): Promise<ExportResult> {
  const out = resolve(o.out);
  refuseSystemPath(out);
  if (existsSync(out) && !o.force) {
    throw new DatasetError('BAD_OPTION', `${out} already exists (use --force to replace it)`, { file: out });
  }
  if (existsSync(out)) refuseForeignFolder(out);
  ensureDir(dirname(out));
  const tmp = mkdtempSync(join(dirname(out), `.${basename(out)}.tmp-`));
  try {
    mkdirSync(join(tmp, 'images'));
    const split = dataset.split(o.split);
    const samples: DetectionSample[] = [];
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < split.count) {
        const i = next++;
        try {
          const s = split.get(i);
          samples[i] = { ...s, pixels: new Uint8Array(0) }; // keep only what instances.json needs
          await writePng(join(tmp, 'images', imageFileName(s.id + 1)), s);
        } catch (err) {
          failed = true; // the other workers stop taking images
          throw err;
        }
      }
    };
    // Wait for every in-flight write before cleaning up, so nothing lands in a folder being removed.
    const settled = await Promise.allSettled(Array.from({ length: Math.min(ENCODE_CONCURRENCY, split.count) }, worker));
    const firstError = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (firstError) throw firstError.reason;
    const doc = cocoInstancesOf(dataset, samples);
    writeFileAtomic(join(tmp, 'instances.json'), JSON.stringify(doc));
    const ids = samples.map((s) => s.id + 1);
    const splitFile: SplitFile = {
      format: SPLIT_FORMAT,
      train: o.split === 'train' ? ids : [],
      heldout: o.split === 'heldout' ? ids : [],
      ...(o.split === 'test' ? { test: ids } : {}),
      source: { dataset: dataset.name, split: o.split, imageSize: dataset.imageSize, count: split.count, ...o.source },
    };
    writeFileAtomic(join(tmp, SPLIT_FILE_NAME), `${JSON.stringify(splitFile, null, 1)}\n`);
    if (existsSync(out)) rmSync(out, { recursive: true, force: true }); // only reached with force
    renameSync(tmp, out);
    return { out, images: samples.length, annotations: (doc.annotations as unknown[]).length };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * --force replaces a folder recursively, so it may only replace what this command writes: an earlier
 * export (it holds the split file) or an empty folder. Anything else (a home folder, `/`, a typo) is refused.
 */
function refuseForeignFolder(out: string): void {
  const st = statSync(out);
  if (!st.isDirectory())
    throw new DatasetError('BAD_OPTION', `${out} exists and is not a folder; --force only replaces an earlier export`, {
      file: out,
    });
  const entries = readdirSync(out);
  if (entries.length > 0 && !entries.includes(SPLIT_FILE_NAME)) {
    throw new DatasetError(
      'BAD_OPTION',
      `${out} is not an earlier dataset export (no ${SPLIT_FILE_NAME} in it); --force only replaces one of those or an empty folder`,
      { file: out },
    );
  }
}
