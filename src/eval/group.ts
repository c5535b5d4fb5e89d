// Groups annotations or detections by (category, image) in O(n + images + categories) with two stable
// counting-sort passes, so the evaluator never scans all images per category (no O(N²) work).

export interface Groups {
  /** Item indices ordered by (category, image, original order). */
  order: Int32Array;
  /** Group g spans order[start[g] .. start[g + 1]). */
  start: Int32Array;
  category: Int32Array;
  image: Int32Array;
  count: number;
}

function countingSort(keys: Int32Array, input: Int32Array, buckets: number): Int32Array {
  const counts = new Int32Array(buckets + 1);
  for (let i = 0; i < input.length; i++) counts[keys[input[i]] + 1]++;
  for (let b = 0; b < buckets; b++) counts[b + 1] += counts[b];
  const out = new Int32Array(input.length);
  for (let i = 0; i < input.length; i++) out[counts[keys[input[i]]]++] = input[i];
  return out;
}

export function groupByCategoryImage(
  category: Int32Array,
  image: Int32Array,
  numCategories: number,
  numImages: number,
): Groups {
  const n = category.length;
  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  // LSD radix: by image, then (stably) by category.
  const order = countingSort(category, countingSort(image, identity, numImages), numCategories);
  const starts: number[] = [];
  const cats: number[] = [];
  const imgs: number[] = [];
  for (let i = 0; i < n; i++) {
    const it = order[i];
    if (i === 0 || category[it] !== cats[cats.length - 1] || image[it] !== imgs[imgs.length - 1]) {
      starts.push(i);
      cats.push(category[it]);
      imgs.push(image[it]);
    }
  }
  starts.push(n);
  return {
    order,
    start: Int32Array.from(starts),
    category: Int32Array.from(cats),
    image: Int32Array.from(imgs),
    count: cats.length,
  };
}
