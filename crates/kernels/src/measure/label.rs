//! Connected-component labelling of the non-zero pixels of an N-D image, with any symmetric
//! 3x3x...x3 connectivity structure, numbered as SciPy numbers them.
//!
//! SciPy scans the image line by line along one axis (the output's smallest positive stride),
//! the lines in C order of the other axes; a component's label is the rank of its first pixel
//! in that scan. Here: one scan in the same order giving each pixel a provisional label from
//! its already-scanned neighbours (the structure's half before its centre), joined in a
//! union-find whose root is always the smallest (first created) label; provisional labels are
//! then numbered in order of creation, roots only, which is the rank of first pixels.

use ndarray::{ArrayViewD, ArrayViewMutD, Axis, Slice, Zip};
use rayon::prelude::*;

use super::{for_rows, Value};

/// An output label element.
pub trait Out: Copy + Send + Sync + 'static {
    fn from_label(label: u32) -> Self;
}

impl Out for i32 {
    #[inline(always)]
    fn from_label(label: u32) -> Self {
        label as i32
    }
}

impl Out for i64 {
    #[inline(always)]
    fn from_label(label: u32) -> Self {
        label as i64
    }
}

/// Why labelling could not run.
#[derive(Debug, PartialEq, Eq)]
pub enum LabelError {
    /// Shapes of input, output and structure disagree, or `axis` is out of range.
    Shape,
    /// More pixels than provisional labels fit (u32).
    TooLarge,
}

struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    #[inline(always)]
    fn find(&mut self, mut a: u32) -> u32 {
        while self.parent[a as usize] != a {
            let grand = self.parent[self.parent[a as usize] as usize];
            self.parent[a as usize] = grand;
            a = grand;
        }
        a
    }

    /// Joins the sets of `a` and `b`; returns the root, the smaller of the two roots.
    #[inline(always)]
    fn union(&mut self, a: u32, b: u32) -> u32 {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra < rb {
            self.parent[rb as usize] = ra;
            ra
        } else {
            self.parent[ra as usize] = rb;
            rb
        }
    }
}

/// Labels the non-zero pixels of `input` into `output` (same shape) using the connectivity of
/// `structure` (`3^ndim` booleans in C order, symmetric), scanning lines along `axis`.
/// Returns the number of components.
pub fn label<T: Value, O: Out>(
    input: ArrayViewD<'_, T>,
    structure: &[bool],
    axis: usize,
    output: ArrayViewMutD<'_, O>,
) -> Result<usize, LabelError> {
    let ndim = input.ndim();
    if output.shape() != input.shape() || structure.len() != 3usize.pow(ndim as u32) {
        return Err(LabelError::Shape);
    }
    if ndim == 0 {
        let mut output = output;
        let fg = !input.first().copied().is_none_or(Value::is_zero);
        output.fill(O::from_label(fg as u32));
        return Ok(fg as usize);
    }
    if axis >= ndim {
        return Err(LabelError::Shape);
    }
    if input.is_empty() {
        return Ok(0);
    }
    if input.len() >= u32::MAX as usize - 1 {
        return Err(LabelError::TooLarge);
    }
    // The scan order is C order of the axes permuted to put `axis` last.
    let perm: Vec<usize> = (0..ndim).filter(|&k| k != axis).chain([axis]).collect();
    let input = input.permuted_axes(perm.clone());
    let output = output.permuted_axes(perm.clone());
    let shape = input.shape().to_vec();
    let last = ndim - 1;
    let len = shape[last];
    let outer = &shape[..last];
    let lines: usize = outer.iter().product();
    let mut line_strides = vec![1isize; last];
    for k in (0..last.saturating_sub(1)).rev() {
        line_strides[k] = line_strides[k + 1] * outer[k + 1] as isize;
    }
    let neighbours = neighbour_lines(structure, &perm, &line_strides);
    let joined_in_line = joined_in_line(structure, &perm);

    // Lines are labelled in parts (blocks along the first scanned axis) in parallel, each
    // part's provisional labels after the previous part's; then the first lines of each part
    // are joined with the lines of the previous part they touch.
    let parts_wanted = if ndim >= 2 && input.len() >= 1 << 20 {
        rayon::current_num_threads().min(shape[0]).min(16)
    } else {
        1
    };
    let rows_per_part = shape[0].div_ceil(parts_wanted.max(1));
    let bounds: Vec<(usize, usize)> = (0..shape[0])
        .step_by(rows_per_part.max(1))
        .map(|a| (a, (a + rows_per_part).min(shape[0])))
        .collect();
    let parts: Vec<Part> = if bounds.len() > 1 {
        bounds
            .par_iter()
            .map(|&(a, b)| {
                let block = input.slice_axis(Axis(0), Slice::from(a..b));
                label_lines(&block, &neighbours, joined_in_line)
            })
            .collect()
    } else {
        vec![label_lines(&input, &neighbours, joined_in_line)]
    };
    // The first part's buffers are kept (not copied); the others are appended to them.
    let mut parts = parts.into_iter();
    let first = parts.next().expect("at least one part");
    let (mut runs, mut line_start) = (first.runs, first.line_start);
    let mut sets = UnionFind {
        parent: first.parent,
    };
    line_start.pop();
    for part in parts {
        let base = sets.parent.len() as u32 - 1;
        let run_base = runs.len();
        line_start.extend(
            part.line_start[..part.line_start.len() - 1]
                .iter()
                .map(|s| s + run_base),
        );
        runs.extend(part.runs.iter().map(|r| Run {
            label: r.label + base,
            ..*r
        }));
        sets.parent
            .extend(part.parent[1..].iter().map(|p| p + base));
    }
    line_start.push(runs.len());
    let lines_per_row = lines / shape[0].max(1);
    for &(a, _) in bounds.iter().skip(1) {
        let mut coords = vec![0usize; last];
        coords[0] = a;
        for line in a * lines_per_row..(a + 1) * lines_per_row {
            let (done, current) = runs.split_at_mut(line_start[line]);
            let current = &mut current[..line_start[line + 1] - line_start[line]];
            if !current.is_empty() {
                for nb in neighbours.iter().filter(|nb| nb.delta[0] < 0) {
                    if let Some(other) = nb.line(line, &coords, outer) {
                        join_lines(
                            current,
                            &done[line_start[other]..line_start[other + 1]],
                            nb,
                            joined_in_line,
                            &mut sets,
                        );
                    }
                }
            }
            for k in (1..last).rev() {
                coords[k] += 1;
                if coords[k] < outer[k] {
                    break;
                }
                coords[k] = 0;
            }
        }
    }

    // Number the roots in order of creation; every other label takes its root's number.
    let mut final_label = vec![0u32; sets.parent.len()];
    let mut count = 0u32;
    for p in 1..sets.parent.len() as u32 {
        let root = sets.find(p);
        if root == p {
            count += 1;
            final_label[p as usize] = count;
        } else {
            final_label[p as usize] = final_label[root as usize];
        }
    }
    let write = |mut lane: ndarray::ArrayViewMut1<'_, O>, &line: &usize| {
        if let Some(lane) = lane.as_slice_mut() {
            lane.fill(O::from_label(0));
            for run in &runs[line_start[line]..line_start[line + 1]] {
                lane[run.start as usize..run.end as usize]
                    .fill(O::from_label(final_label[run.label as usize]));
            }
            return;
        }
        let mut at = 0usize;
        for run in &runs[line_start[line]..line_start[line + 1]] {
            let (s, e) = (run.start as usize, run.end as usize);
            for i in at..s {
                lane[i] = O::from_label(0);
            }
            let v = O::from_label(final_label[run.label as usize]);
            for i in s..e {
                lane[i] = v;
            }
            at = e;
        }
        for i in at..len {
            lane[i] = O::from_label(0);
        }
    };
    let mut output = output;
    let line_ids = ndarray::ArrayD::from_shape_vec(outer.to_vec(), (0..lines).collect())
        .expect("one id per line");
    let zip = Zip::from(output.lanes_mut(Axis(last))).and(&line_ids);
    if shape.iter().product::<usize>() >= 1 << 18 {
        zip.par_for_each(write);
    } else {
        zip.for_each(write);
    }
    Ok(count as usize)
}

/// Runs, line starts and union-find of a block of lines labelled on its own.
struct Part {
    runs: Vec<Run>,
    line_start: Vec<usize>,
    parent: Vec<u32>,
}

/// Labels the lines of `input` (already permuted: lines along the last axis), joining only
/// lines inside it.
fn label_lines<T: Value>(
    input: &ArrayViewD<'_, T>,
    neighbours: &[NeighbourLine],
    joined: bool,
) -> Part {
    let shape = input.shape();
    let last = shape.len() - 1;
    let outer = &shape[..last];
    let lines: usize = outer.iter().product();
    // Runs of foreground along each line (single pixels where the structure does not join
    // pixels along the line), in scan order.
    // Counted first, so that the runs take exactly their memory (no growth by doubling).
    let mut total = 0usize;
    for_rows(input, |_, _, row| {
        total += match row.as_slice() {
            Some(row) => count_runs(row, joined),
            None => count_runs(&row.iter().copied().collect::<Vec<T>>(), joined),
        };
    });
    let mut runs: Vec<Run> = Vec::with_capacity(total);
    let mut line_start: Vec<usize> = Vec::with_capacity(lines + 1);
    let (mut edges, mut copy) = (Vec::new(), Vec::new());
    for_rows(input, |_, _, row| {
        line_start.push(runs.len());
        let row = match row.as_slice() {
            Some(row) => row,
            None => {
                copy.clear();
                copy.extend(row.iter().copied());
                &copy[..]
            }
        };
        find_runs(row, joined, &mut edges, &mut runs);
    });
    line_start.push(runs.len());
    // Provisional labels, line by line: a run takes the labels of the runs it touches in the
    // neighbouring lines (joining them); a run touching none starts a new label.
    let mut sets = UnionFind { parent: vec![0] };
    let mut coords = vec![0usize; last];
    for line in 0..lines {
        let (done, current) = runs.split_at_mut(line_start[line]);
        let current = &mut current[..line_start[line + 1] - line_start[line]];
        if !current.is_empty() {
            for nb in neighbours {
                if let Some(other) = nb.line(line, &coords, outer) {
                    join_lines(
                        current,
                        &done[line_start[other]..line_start[other + 1]],
                        nb,
                        joined,
                        &mut sets,
                    );
                }
            }
            for run in current.iter_mut() {
                if run.label == 0 {
                    run.label = sets.parent.len() as u32;
                    sets.parent.push(run.label);
                }
            }
        }
        for k in (0..last).rev() {
            coords[k] += 1;
            if coords[k] < outer[k] {
                break;
            }
            coords[k] = 0;
        }
    }
    Part {
        runs,
        line_start,
        parent: sets.parent,
    }
}

/// Joins the runs of a line with those of a neighbouring line `nb`.
fn join_lines(
    current: &mut [Run],
    other: &[Run],
    nb: &NeighbourLine,
    joined: bool,
    sets: &mut UnionFind,
) {
    let (lo, hi) = (nb.along.iter().min(), nb.along.iter().max());
    match (lo, hi) {
        // Runs along a joined line are a pixel apart at least, so one sweep with the runs
        // widened by a contiguous range of displacements finds every touching pair (see
        // `join_runs`).
        (Some(&lo), Some(&hi)) if joined && (hi - lo + 1) as usize == nb.along.len() => {
            join_runs(current, other, lo, hi, sets)
        }
        _ => {
            for &d in &nb.along {
                join_runs(current, other, d, d, sets);
            }
        }
    }
}

impl NeighbourLine {
    /// The index of this neighbour of line `line` (at `coords` in an `outer`-shaped grid of
    /// lines), if inside.
    #[inline]
    fn line(&self, line: usize, coords: &[usize], outer: &[usize]) -> Option<usize> {
        let inside = coords
            .iter()
            .zip(&self.delta)
            .zip(outer)
            .all(|((&c, &d), &n)| (c as isize + d) >= 0 && ((c as isize + d) as usize) < n);
        inside.then(|| (line as isize + self.offset) as usize)
    }
}

/// A run of foreground pixels `start..end` along a line, with its provisional label.
#[derive(Clone, Copy)]
struct Run {
    start: u32,
    end: u32,
    label: u32,
}

/// Appends the runs of one line to `runs`, branch-free: `edges` (scratch) collects the
/// indices where foreground starts or stops.
fn find_runs<T: Value>(row: &[T], joined: bool, edges: &mut Vec<u32>, runs: &mut Vec<Run>) {
    let n = row.len();
    edges.clear();
    edges.resize(n + 2, 0);
    let mut k = 0usize;
    if joined {
        let mut previous = false;
        for (i, v) in row.iter().enumerate() {
            let fg = !v.is_zero();
            edges[k] = i as u32;
            k += (fg != previous) as usize;
            previous = fg;
        }
        if previous {
            edges[k] = n as u32;
            k += 1;
        }
        runs.extend(edges[..k].chunks_exact(2).map(|p| Run {
            start: p[0],
            end: p[1],
            label: 0,
        }));
    } else {
        for (i, v) in row.iter().enumerate() {
            edges[k] = i as u32;
            k += !v.is_zero() as usize;
        }
        runs.extend(edges[..k].iter().map(|&i| Run {
            start: i,
            end: i + 1,
            label: 0,
        }));
    }
}

/// The number of runs [`find_runs`] finds in `row`.
fn count_runs<T: Value>(row: &[T], joined: bool) -> usize {
    if !joined {
        return row.iter().filter(|v| !v.is_zero()).count();
    }
    let mut starts = 0usize;
    let mut previous = false;
    for v in row {
        let fg = !v.is_zero();
        starts += (fg && !previous) as usize;
        previous = fg;
    }
    starts
}

/// Joins each run of `current` with the runs of `other` it touches: pixel `i` touches pixel
/// `i + d` for `lo <= d <= hi`. Both lists are sorted; a sweep advancing the list whose
/// (widened) run ends first finds every touching pair when `lo == hi`, or when the runs of
/// `current` are at least a pixel apart and `hi - lo <= 2`.
fn join_runs(current: &mut [Run], other: &[Run], lo: i64, hi: i64, sets: &mut UnionFind) {
    let (mut i, mut j) = (0, 0);
    while i < current.len() && j < other.len() {
        let (s, e) = (current[i].start as i64 + lo, current[i].end as i64 + hi);
        let (s2, e2) = (other[j].start as i64, other[j].end as i64);
        if s < e2 && s2 < e {
            let theirs = other[j].label;
            let mine = &mut current[i].label;
            if *mine == 0 {
                *mine = theirs;
            } else if *mine != theirs {
                *mine = sets.union(*mine, theirs);
            }
        }
        let advance_mine = e <= e2;
        i += advance_mine as usize;
        j += !advance_mine as usize;
    }
}

/// A line scanned before the current one whose pixels can touch the current line's: its
/// offset in lines, its displacement along the other axes, and the displacements along the
/// line that connect.
struct NeighbourLine {
    offset: isize,
    delta: Vec<isize>,
    along: Vec<i64>,
}

/// The structure's offsets before its centre (in the permuted C order) that leave the line,
/// grouped by line (the other half of a symmetric structure is their mirror image).
fn neighbour_lines(
    structure: &[bool],
    perm: &[usize],
    line_strides: &[isize],
) -> Vec<NeighbourLine> {
    let ndim = perm.len();
    let mut found: Vec<NeighbourLine> = Vec::new();
    for (delta, along) in structure_offsets(structure, perm) {
        let outer = &delta[..ndim - 1];
        if outer.iter().find(|&&d| d != 0).is_none_or(|&d| d >= 0) {
            continue;
        }
        match found.iter_mut().find(|nb| nb.delta == outer) {
            Some(nb) => nb.along.push(along as i64),
            None => found.push(NeighbourLine {
                offset: outer.iter().zip(line_strides).map(|(a, b)| a * b).sum(),
                delta: outer.to_vec(),
                along: vec![along as i64],
            }),
        }
    }
    found
}

/// Whether the structure joins neighbouring pixels along the line.
fn joined_in_line(structure: &[bool], perm: &[usize]) -> bool {
    let ndim = perm.len();
    structure_offsets(structure, perm)
        .any(|(delta, along)| along == -1 && delta[..ndim - 1].iter().all(|&d| d == 0))
}

/// The structure's set offsets, each as (displacement in permuted axes, its last component).
fn structure_offsets<'a>(
    structure: &'a [bool],
    perm: &'a [usize],
) -> impl Iterator<Item = (Vec<isize>, isize)> + 'a {
    let ndim = perm.len();
    structure
        .iter()
        .enumerate()
        .filter(|(_, &on)| on)
        .map(move |(flat, _)| {
            let mut delta = vec![0isize; ndim];
            let mut rest = flat;
            for k in (0..ndim).rev() {
                delta[k] = (rest % 3) as isize - 1;
                rest /= 3;
            }
            let permuted: Vec<isize> = perm.iter().map(|&k| delta[k]).collect();
            let along = permuted[ndim - 1];
            (permuted, along)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, ArrayD, IxDyn};

    fn run(image: &Array2<u8>, structure: &[bool], axis: usize) -> (Array2<i32>, usize) {
        let mut out = ArrayD::<i32>::zeros(IxDyn(image.shape()));
        let n = label(image.view().into_dyn(), structure, axis, out.view_mut()).unwrap();
        (out.into_dimensionality().unwrap(), n)
    }

    const CROSS: [bool; 9] = [false, true, false, true, true, true, false, true, false];

    #[test]
    fn numbers_components_by_first_pixel_in_scan_order() {
        let image =
            Array2::from_shape_vec((3, 4), vec![0, 1, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0]).unwrap();
        let (out, n) = run(&image, &CROSS, 1);
        assert_eq!(n, 3);
        assert_eq!(
            out.into_raw_vec_and_offset().0,
            vec![0, 1, 0, 2, 1, 1, 0, 2, 0, 0, 3, 0]
        );
        // Scanning columns first numbers the column-wise first pixels.
        let (out, n) = run(&image, &CROSS, 0);
        assert_eq!(n, 3);
        assert_eq!(out[[1, 0]], 1);
        assert_eq!(out[[0, 1]], 1);
        assert_eq!(out[[2, 2]], 2);
        assert_eq!(out[[0, 3]], 3);
    }

    #[test]
    fn diagonals_join_with_full_connectivity_only() {
        let image = Array2::from_shape_vec((2, 2), vec![1, 0, 0, 1]).unwrap();
        assert_eq!(run(&image, &CROSS, 1).1, 2);
        assert_eq!(run(&image, &[true; 9], 1).1, 1);
        // No joins along the line: every pixel of a row is its own component.
        let row = Array2::from_shape_vec((1, 3), vec![1, 1, 1]).unwrap();
        let none = [false, false, false, false, true, false, false, false, false];
        assert_eq!(run(&row, &none, 1).1, 3);
    }
}
