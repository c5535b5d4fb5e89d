// Which files of a COCO folder hold which split. Accepted layouts (first match wins):
//   A. DIR/instances.json                          one annotation file; images in DIR/images/ or DIR/
//      split by DIR/pyramid-nas.split.json (or DatasetOptions.splitFile) when present, else by a seeded hash
//   B. DIR/train/instances.json + DIR/heldout/instances.json (or DIR/val/)   a folder per split, each as A
//      (what `pyramid-nas dataset export --split train|heldout --out DIR/train|DIR/heldout` writes), and
//      optionally DIR/test/instances.json, the test split
//   C. DIR/annotations/instances_<name>.json       the official COCO layout; <name> containing "train" is the
//      train split, "val"/"heldout" the held-out one, "test" the test split (or, when no file is named for
//      the held-out split, the held-out one, so a train + test pair keeps working); images in DIR/<name>/,
//      DIR/images/<name>/, DIR/images/ or DIR/. A single such file is split like A.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { DatasetError } from './errors.js';

export interface CocoSource {
  annotations: string;
  /** Folders searched, in order, for each image's `file_name`. */
  imageDirs: string[];
  /** The split this file holds, or 'both' when it must be divided. */
  role: 'train' | 'heldout' | 'test' | 'both';
}

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

function single(dir: string, file: string, role: CocoSource['role']): CocoSource {
  return { annotations: file, imageDirs: [join(dir, 'images'), dir], role };
}

export function discoverCoco(dir: string): CocoSource[] {
  if (!isDir(dir)) throw new DatasetError('MISSING_FILE', `COCO folder not found: ${dir}`, { file: dir });
  if (isFile(join(dir, 'instances.json'))) return [single(dir, join(dir, 'instances.json'), 'both')];

  const train = join(dir, 'train', 'instances.json');
  const held = ['heldout', 'val'].map((n) => join(dir, n)).find((d) => isFile(join(d, 'instances.json')));
  if (isFile(train) && held) {
    const test = join(dir, 'test', 'instances.json');
    return [
      single(join(dir, 'train'), train, 'train'),
      single(held, join(held, 'instances.json'), 'heldout'),
      ...(isFile(test) ? [single(join(dir, 'test'), test, 'test')] : []),
    ];
  }

  const annDir = join(dir, 'annotations');
  const files = isDir(annDir)
    ? readdirSync(annDir)
        .filter((f) => /^instances_.+\.json$/.test(f))
        .sort()
    : [];
  if (files.length > 0) {
    const sources = files.map((f): CocoSource => {
      const name = f.slice('instances_'.length, -'.json'.length);
      const role = /train/i.test(name)
        ? 'train'
        : /val|heldout/i.test(name)
          ? 'heldout'
          : /test/i.test(name)
            ? 'test'
            : 'both';
      return {
        annotations: join(annDir, f),
        imageDirs: [join(dir, name), join(dir, 'images', name), join(dir, 'images'), dir],
        role,
      };
    });
    if (sources.length === 1) return [{ ...sources[0], role: 'both' }];
    // No file named for the held-out split: a test file serves as the held-out one, as it always did.
    if (!sources.some((s) => s.role === 'heldout')) for (const s of sources) if (s.role === 'test') s.role = 'heldout';
    if (sources.filter((s) => s.role === 'test').length > 1) {
      throw new DatasetError(
        'MISSING_FILE',
        `${annDir}: expected at most one instances_*.json for the test split (name containing "test"), found ${sources.filter((s) => s.role === 'test').length}: ${files.join(', ')}`,
        { file: annDir },
      );
    }
    for (const role of ['train', 'heldout'] as const) {
      const hits = sources.filter((s) => s.role === role);
      if (hits.length !== 1) {
        throw new DatasetError(
          'MISSING_FILE',
          `${annDir}: expected exactly one instances_*.json for the ${role} split (name containing ${role === 'train' ? '"train"' : '"val" or "heldout" (or "test" when none does)'}), found ${hits.length}: ${files.join(', ')}`,
          { file: annDir },
        );
      }
    }
    return sources.filter((s) => s.role !== 'both');
  }
  throw new DatasetError(
    'MISSING_FILE',
    `no COCO annotations in ${dir}: expected instances.json, train/instances.json + heldout/instances.json, or annotations/instances_*.json`,
    { file: dir },
  );
}
