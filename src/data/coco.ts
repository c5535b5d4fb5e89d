// `coco`: any COCO-format folder as a proxy dataset (layouts: see coco-layout.ts). Images are decoded and
// letterboxed to the proxy size up front (sharp is asynchronous; `get(i)` must not be) and kept in memory
// as Uint8Arrays, within `cacheBytes`.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

import {
  type CocoAnnotation,
  type CocoCategory,
  type CocoImage,
  type CocoInstances,
  readCocoInstances,
} from './coco-json.js';
import { type CocoSource, discoverCoco } from './coco-layout.js';
import { DatasetError } from './errors.js';
import { decodeLetterboxed } from './letterbox.js';
import { requireDataDir } from './options.js';
import { hashNumber, mix32 } from './rng.js';
import { readSplitFile, SPLIT_FILE_NAME, type SplitFile } from './split-file.js';
import {
  type BoxAnnotation,
  type DatasetOptions,
  type DatasetSplit,
  type DetectionSample,
  type ProxyDataset,
  SPLIT_NAMES,
  type SplitName,
} from './types.js';

/** Default bound on decoded pixels held in memory (all splits together). */
export const DEFAULT_COCO_CACHE_BYTES = 2 ** 30;
/** Fraction of images that go to the held-out split when a folder has no split of its own. */
export const HASH_HELDOUT_FRACTION = 0.2;
const DECODE_CONCURRENCY = 8;

/** The seeded hash split: an image is held out iff hash(seed, image id) falls in the lowest 20%. */
export function hashSplitOf(imageId: number, seed: number): SplitName {
  const h = mix32(hashNumber(imageId) ^ mix32(hashNumber(seed) + 0x51ed270b));
  return h / 4294967296 < HASH_HELDOUT_FRACTION ? 'heldout' : 'train';
}

interface Picked {
  image: CocoImage;
  source: CocoSource;
  instances: CocoInstances;
  /** This image's annotations (looked up once per document: COCO files hold ~10⁵ images and ~10⁶ boxes). */
  annotations: CocoAnnotation[];
}

function annotationsByImage(doc: CocoInstances): Map<number, CocoAnnotation[]> {
  const m = new Map<number, CocoAnnotation[]>();
  for (const a of doc.annotations) {
    const list = m.get(a.image_id);
    if (list) list.push(a);
    else m.set(a.image_id, [a]);
  }
  return m;
}

function sameCategories(a: CocoInstances, b: CocoInstances): void {
  const key = (cs: CocoCategory[]) => JSON.stringify(cs.map((c) => [c.id, c.name]));
  if (key(a.categories) !== key(b.categories)) {
    throw new DatasetError(
      'BAD_JSON',
      `${b.file}: $.categories: differ from those of ${a.file}; the splits must share one category list`,
      {
        file: b.file,
        path: '$.categories',
      },
    );
  }
}

/**
 * A folder-per-split layout takes the split from the folder name; an export's own split file must not
 * disagree (an exported train split copied to DIR/heldout would silently evaluate on training images).
 */
function checkFolderRole(source: CocoSource, role: SplitName): void {
  const file = join(dirname(source.annotations), SPLIT_FILE_NAME);
  if (!existsSync(file)) return;
  const split = readSplitFile(file);
  const other = SPLIT_NAMES.find((name) => name !== role && (split[name]?.length ?? 0) > 0);
  if ((split[role]?.length ?? 0) === 0 && other) {
    throw new DatasetError(
      'BAD_OPTION',
      `${file}: this folder is used as the ${role} split but holds an export of the ${other} split`,
      { file },
    );
  }
}

/** Images of each split, sorted by image id (so the order does not depend on the JSON's order). */
function assignSplits(
  sources: CocoSource[],
  docs: CocoInstances[],
  o: DatasetOptions,
  dir: string,
): Record<SplitName, Picked[]> {
  const out: Record<SplitName, Picked[]> = { train: [], heldout: [], test: [] };
  sources.forEach((source, k) => {
    const instances = docs[k];
    const byImage = annotationsByImage(instances);
    const pick = (image: CocoImage): Picked => ({ image, source, instances, annotations: byImage.get(image.id) ?? [] });
    if (source.role !== 'both') {
      checkFolderRole(source, source.role);
      for (const image of instances.images) out[source.role].push(pick(image));
      return;
    }
    const splitPath = o.splitFile ?? join(dir, SPLIT_FILE_NAME);
    if (o.splitFile || existsSync(splitPath)) {
      const split: SplitFile = readSplitFile(splitPath);
      const byId = new Map(instances.images.map((im) => [im.id, im]));
      for (const name of SPLIT_NAMES) {
        (split[name] ?? []).forEach((id, i) => {
          const image = byId.get(id);
          if (!image) {
            throw new DatasetError(
              'BAD_JSON',
              `${splitPath}: $.${name}[${i}]: image id ${id} is not in ${instances.file}`,
              { file: splitPath, path: `$.${name}[${i}]` },
            );
          }
          out[name].push(pick(image));
        });
      }
    } else {
      for (const image of instances.images) out[hashSplitOf(image.id, o.seed)].push(pick(image));
    }
  });
  for (const name of SPLIT_NAMES) out[name].sort((a, b) => a.image.id - b.image.id);
  return out;
}

function findImage(p: Picked): string {
  for (const d of p.source.imageDirs) {
    const f = join(d, p.image.file_name);
    if (existsSync(f)) return f;
  }
  throw new DatasetError(
    'MISSING_FILE',
    `image ${JSON.stringify(p.image.file_name)} (id ${p.image.id}, listed in ${p.instances.file}) not found in ${p.source.imageDirs.join(' or ')}`,
    { file: p.image.file_name },
  );
}

async function decodeSample(p: Picked, size: number, category: Map<number, number>): Promise<DetectionSample> {
  const file = findImage(p);
  const lb = await decodeLetterboxed(file, size);
  if (lb.width !== p.image.width || lb.height !== p.image.height) {
    throw new DatasetError(
      'DECODE_FAILED',
      `${file}: decoded size ${lb.width}×${lb.height} differs from ${p.image.width}×${p.image.height} in ${p.instances.file} (image id ${p.image.id})`,
      { file },
    );
  }
  const boxes: BoxAnnotation[] = [];
  for (const a of p.annotations) {
    if (a.bbox[2] <= 0 || a.bbox[3] <= 0) continue; // degenerate boxes: nothing to detect
    const [x, y, w, h] = a.bbox;
    boxes.push({
      bbox: lb.sx === 1 && lb.sy === 1 ? [x, y, w, h] : [x * lb.sx, y * lb.sy, w * lb.sx, h * lb.sy],
      category: category.get(a.category_id)!,
      area: a.area * lb.sx * lb.sy,
      iscrowd: a.iscrowd,
    });
  }
  // COCO image id = sample id + 1 (types.ts), so original ids survive into evaluation and export.
  return { id: p.image.id - 1, width: size, height: size, pixels: lb.pixels, boxes };
}

async function decodeAll(items: Picked[], size: number, category: Map<number, number>): Promise<DetectionSample[]> {
  const out = new Array<DetectionSample>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await decodeSample(items[i], size, category);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DECODE_CONCURRENCY, items.length) }, worker));
  return out;
}

export async function loadCocoDataset(o: DatasetOptions): Promise<ProxyDataset> {
  if (!o.dataDir) throw new DatasetError('BAD_OPTION', 'the coco dataset needs a folder (--data DIR)');
  requireDataDir(o.dataDir);
  const sources = discoverCoco(o.dataDir);
  const docs = sources.map((s) => readCocoInstances(s.annotations));
  for (const d of docs.slice(1)) sameCategories(docs[0], d);
  const categories = docs[0].categories;
  const categoryIndex = new Map(categories.map((c, i) => [c.id, i]));
  const bySplit = assignSplits(sources, docs, o, o.dataDir);
  const wanted = {
    train: bySplit.train.slice(0, o.trainImages),
    heldout: bySplit.heldout.slice(0, o.heldoutImages),
    test: bySplit.test.slice(0, o.testImages ?? 0),
  };
  const images = wanted.train.length + wanted.heldout.length + wanted.test.length;
  const bytes = images * o.imageSize * o.imageSize * 3;
  const bound = o.cacheBytes ?? DEFAULT_COCO_CACHE_BYTES;
  if (bytes > bound) {
    throw new DatasetError(
      'TOO_LARGE',
      `coco: ${images} images at ${o.imageSize} px need ${(bytes / 2 ** 20).toFixed(0)} MiB decoded, over the ${(bound / 2 ** 20).toFixed(0)} MiB bound (fewer images, a smaller size, or a larger cacheBytes)`,
    );
  }
  const decoded = {
    train: await decodeAll(wanted.train, o.imageSize, categoryIndex),
    heldout: await decodeAll(wanted.heldout, o.imageSize, categoryIndex),
    test: await decodeAll(wanted.test, o.imageSize, categoryIndex),
  };
  const split = (name: SplitName): DatasetSplit => ({
    count: decoded[name].length,
    get(index: number) {
      const s = decoded[name][index];
      if (!s) throw new RangeError(`coco ${name} split: index ${index} out of range [0, ${decoded[name].length})`);
      return s;
    },
  });
  const splits = { train: split('train'), heldout: split('heldout'), test: split('test') };
  return {
    name: 'coco',
    categories: categories.map((c) => ({ name: c.name, cocoId: c.id })),
    imageSize: o.imageSize,
    split: (name) => splits[name],
  };
}
