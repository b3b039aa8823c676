//! The chamfer distance transform of `distance_transform_cdt`, with SciPy's results exactly.
//!
//! SciPy (`NI_DistanceTransformOnePass`, run forward, then on the array reversed along every
//! axis) gives each element one more than the nearest of its neighbours in the structure's
//! first half (those before the centre in C order), visiting elements in raster order; a
//! neighbour replaces the current value only when strictly nearer, so ties keep the value
//! already there, then the first neighbour in the structure's order.
//!
//! Done element by element that is a chain of dependent loads and branches. Here it is done a
//! row (last-axis line) at a time: every neighbour but the previous element of the row lies in
//! an earlier row, already final in this pass, and comes before that one in the structure's
//! order, so all of them are folded into the row first (element-wise minima over whole rows,
//! vectorised), then one scan along the row adds the previous element. Each element sees the
//! same candidates in the same order, so distances and features are SciPy's.
//!
//! Distances are `u32` views of SciPy's `int32`: `u32::MAX` is its `-1` (not reached), which
//! a candidate never improves on (`min(c, MAX - 1) + 1`).

/// A neighbour in an earlier row: the row offset (flat, in rows), the column offset, and the
/// axes (bits) along which it steps back (`-1`) or forward (`+1`), forward pass.
struct Neighbour {
    rows: usize,
    column: isize,
    back: u64,
    ahead: u64,
}

/// The structure's first half, split into the neighbours in earlier rows (in order) and
/// whether the previous element of the row is one.
fn neighbours(shape: &[usize], structure: &[bool]) -> (Vec<Neighbour>, bool) {
    let rank = shape.len();
    let lead = rank - 1;
    let mut row_strides = vec![1usize; lead];
    for k in (0..lead.saturating_sub(1)).rev() {
        row_strides[k] = row_strides[k + 1] * shape[k + 1];
    }
    let mut list = Vec::new();
    let mut previous = false;
    for (s, _) in structure
        .iter()
        .enumerate()
        .take(structure.len() / 2)
        .filter(|(_, &on)| on)
    {
        let mut digits = vec![0isize; rank];
        let mut rest = s;
        for d in digits.iter_mut().rev() {
            *d = (rest % 3) as isize - 1;
            rest /= 3;
        }
        if digits[..lead].iter().all(|&d| d == 0) {
            previous = true; // (0, ..., 0, -1): the last of the first half
            continue;
        }
        let (mut back, mut ahead, mut rows) = (0u64, 0u64, 0isize);
        for (k, &d) in digits[..lead].iter().enumerate() {
            rows += d * row_strides[k] as isize;
            if d < 0 {
                back |= 1 << k;
            } else if d > 0 {
                ahead |= 1 << k;
            }
        }
        // The first nonzero leading digit is -1: an earlier row.
        list.push(Neighbour {
            rows: (-rows) as usize,
            column: digits[lead],
            back,
            ahead,
        });
    }
    (list, previous)
}

/// SciPy's distances into `dt` (`u32::MAX` where no background is reached) and, if given,
/// the flat index of the background element each one came from into `ft`, for `input`
/// (nonzero: foreground; C order, `shape`) and `structure` (`3^rank` booleans, C order).
/// Returns false, computing nothing, where rows are too short for this to beat SciPy.
pub fn chamfer(
    input: &[u8],
    shape: &[usize],
    structure: &[bool],
    dt: &mut [u32],
    ft: Option<&mut [i32]>,
) -> Result<bool, String> {
    let rank = shape.len();
    let size: usize = shape.iter().product();
    if rank == 0 || rank > 64 || Some(structure.len()) != 3usize.checked_pow(rank as u32) {
        return Err("a structure of 3^rank values, rank 1 to 64, expected".into());
    }
    if input.len() != size || dt.len() != size || ft.as_ref().is_some_and(|f| f.len() != size) {
        return Err("sizes do not match the shape".into());
    }
    if size > i32::MAX as usize {
        return Err("too many elements for int32 indices".into());
    }
    if size == 0 {
        return Ok(true);
    }
    let (shape, structure) = squeeze(shape, structure);
    let rank = shape.len();
    let (list, previous) = neighbours(&shape, &structure);
    if !worthwhile(size, shape[rank - 1], list.len()) {
        return Ok(false);
    }
    let pass = Pass {
        lead: &shape[..rank - 1],
        n: shape[rank - 1],
        list: &list,
        previous,
    };
    let mut ft = ft;
    pass.run(dt, ft.as_deref_mut(), Some(input), true);
    pass.run(dt, ft, None, false);
    Ok(true)
}

/// Whether whole-row passes beat SciPy's element by element: a row costs about ten
/// nanoseconds and a few per neighbour in earlier rows, an element of SciPy's about one
/// per neighbour, several at least (measured on 2-D to 4-D arrays, rows of 2 to 8). Small
/// arrays always (the call costs more than the passes).
fn worthwhile(size: usize, n: usize, neighbours: usize) -> bool {
    size < 1 << 14 || n >= 4 && n * neighbours.max(8) >= 6 * neighbours + 12
}

/// The shape without its axes of length 1 (the last one kept if all are), and the structure
/// without its elements stepping along them (off the array): the same elements in the same
/// order, so the same result, with rows as long as they can be.
fn squeeze(shape: &[usize], structure: &[bool]) -> (Vec<usize>, Vec<bool>) {
    let rank = shape.len();
    let mut keep: Vec<usize> = (0..rank).filter(|&k| shape[k] > 1).collect();
    if keep.is_empty() {
        keep.push(rank - 1);
    }
    let kept = 3usize.pow(keep.len() as u32);
    let reduced = (0..kept)
        .map(|s| {
            // Digit of each kept axis from `s`; 1 (no step) along the others.
            let mut digits = vec![1usize; rank];
            let mut rest = s;
            for &k in keep.iter().rev() {
                digits[k] = rest % 3;
                rest /= 3;
            }
            structure[digits.iter().fold(0, |i, &d| i * 3 + d)]
        })
        .collect();
    (keep.iter().map(|&k| shape[k]).collect(), reduced)
}

struct Pass<'a> {
    /// The shape of the rows (every axis but the last).
    lead: &'a [usize],
    /// The row length.
    n: usize,
    list: &'a [Neighbour],
    previous: bool,
}

impl Pass<'_> {
    fn run(&self, dt: &mut [u32], ft: Option<&mut [i32]>, init: Option<&[u8]>, forward: bool) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2.
            return unsafe { self.run_avx2(dt, ft, init, forward) };
        }
        self.body(dt, ft, init, forward)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn run_avx2(
        &self,
        dt: &mut [u32],
        ft: Option<&mut [i32]>,
        init: Option<&[u8]>,
        forward: bool,
    ) {
        self.body(dt, ft, init, forward)
    }

    /// One raster pass, forward or backward (SciPy's pass over the reversed array: rows and
    /// elements in reverse order, every neighbour mirrored). `init`: the first pass fills
    /// each row from the input before using it.
    #[inline(always)]
    fn body(&self, dt: &mut [u32], mut ft: Option<&mut [i32]>, init: Option<&[u8]>, forward: bool) {
        let n = self.n;
        // A row before its scan (features only).
        let mut before = vec![0u32; if ft.is_some() && self.previous { n } else { 0 }];
        let mut valid = Vec::with_capacity(self.list.len());
        let rows = dt.len() / n;
        // Leading coordinates of the current row, and the axes where it is at either end.
        let mut coords: Vec<usize> = if forward {
            vec![0; self.lead.len()]
        } else {
            self.lead.iter().map(|&s| s - 1).collect()
        };
        for step in 0..rows {
            let r = if forward { step } else { rows - 1 - step };
            let (mut low, mut high) = (0u64, 0u64);
            for (k, (&c, &s)) in coords.iter().zip(self.lead).enumerate() {
                low |= u64::from(c == 0) << k;
                high |= u64::from(c + 1 == s) << k;
            }
            // Mirrored backwards: a step back becomes a step forward.
            let (back_end, ahead_end) = if forward { (low, high) } else { (high, low) };
            let (head, tail) = dt.split_at_mut(r * n);
            let (row, after) = tail.split_at_mut(n);
            let (mut frow, fsrc) = match ft.as_deref_mut() {
                Some(f) => {
                    let (fh, ftail) = f.split_at_mut(r * n);
                    let (frow, fafter) = ftail.split_at_mut(n);
                    (Some(frow), Some(if forward { &*fh } else { &*fafter }))
                }
                None => (None, None),
            };
            if let Some(input) = init {
                for (d, &v) in row.iter_mut().zip(&input[r * n..(r + 1) * n]) {
                    *d = if v != 0 { u32::MAX } else { 0 };
                }
                if let Some(f) = frow.as_deref_mut() {
                    for (j, f) in f.iter_mut().enumerate() {
                        *f = (r * n + j) as i32;
                    }
                }
            }
            // This row's neighbours in earlier rows, those on the array: (rows back, column).
            valid.clear();
            valid.extend(
                self.list
                    .iter()
                    .filter(|nb| nb.back & back_end == 0 && nb.ahead & ahead_end == 0)
                    .map(|nb| (nb.rows, if forward { nb.column } else { -nb.column })),
            );
            for &(rows, column) in &valid {
                // The source row's start within `head` (forward) or `after` (backward).
                let start = if forward {
                    head.len() - rows * n
                } else {
                    (rows - 1) * n
                };
                let (to, from) = match column {
                    -1 => (1..n, start..start + n - 1),
                    0 => (0..n, start..start + n),
                    _ => (0..n - 1, start + 1..start + n),
                };
                let src = if forward {
                    &head[from.clone()]
                } else {
                    &after[from.clone()]
                };
                match (frow.as_deref_mut(), fsrc) {
                    (Some(f), Some(fs)) => {
                        relax_features(&mut row[to.clone()], &mut f[to], src, &fs[from])
                    }
                    _ => relax(&mut row[to], src),
                }
            }
            if self.previous {
                scan(row, frow, &mut before, forward);
            }
            advance(&mut coords, self.lead, forward);
        }
    }
}

/// One more than a candidate distance; `u32::MAX` (not reached) stays.
#[inline(always)]
fn plus_one(c: u32) -> u32 {
    c.min(u32::MAX - 1) + 1
}

#[inline(always)]
fn relax(row: &mut [u32], src: &[u32]) {
    for (d, &c) in row.iter_mut().zip(src) {
        *d = (*d).min(plus_one(c));
    }
}

#[inline(always)]
fn relax_features(row: &mut [u32], f: &mut [i32], src: &[u32], fsrc: &[i32]) {
    for ((d, f), (&c, &fc)) in row.iter_mut().zip(f).zip(src.iter().zip(fsrc)) {
        let c = plus_one(c);
        let nearer = c < *d;
        *d = if nearer { c } else { *d };
        *f = if nearer { fc } else { *f };
    }
}

/// Segments of a row scanned side by side: the scan is a chain of dependent minima, so
/// independent chains hide its latency.
const CHAINS: usize = 4;

/// The previous element of the row (the next one backwards), the last candidate of each.
/// With features: an element took its neighbour's feature exactly where the scan lowered
/// its distance (the neighbour strictly nearer), so the distances are scanned first and the
/// features filled after, from the row as it was (`before`).
#[inline(always)]
fn scan(row: &mut [u32], f: Option<&mut [i32]>, before: &mut [u32], forward: bool) {
    match (f, forward) {
        (None, true) => scan_in::<true>(row),
        (None, false) => scan_in::<false>(row),
        (Some(f), forward) => {
            before.copy_from_slice(row);
            if forward {
                scan_in::<true>(row);
                fill::<true>(row, before, f);
            } else {
                scan_in::<false>(row);
                fill::<false>(row, before, f);
            }
        }
    }
}

/// Segment `s` of `CHAINS` in scan order (the last one to the end), or the whole row when
/// segments would be short: (chains, segment length).
fn segments(n: usize) -> (usize, usize) {
    if n / CHAINS < 16 {
        (1, n)
    } else {
        (CHAINS, n / CHAINS)
    }
}

/// The distance scan as `CHAINS` segments, each from its own start, then carried across:
/// what the end of a segment offers the next is a ramp (one more per step), an element-wise
/// minimum (vectorised).
#[inline(always)]
fn scan_in<const FORWARD: bool>(row: &mut [u32]) {
    let n = row.len();
    let at = |t: usize| if FORWARD { t } else { n - 1 - t };
    let (chains, len) = segments(n);
    // Carried in u64: one more than u32::MAX improves on nothing.
    let mut carry = [0u64; CHAINS];
    for (s, c) in carry.iter_mut().enumerate().take(chains) {
        *c = u64::from(row[at(s * len)]);
    }
    for t in 1..len {
        for (s, c) in carry.iter_mut().enumerate().take(chains) {
            let j = at(s * len + t);
            *c = (*c + 1).min(u64::from(row[j]));
            row[j] = *c as u32;
        }
    }
    let mut c = carry[chains - 1];
    for t in chains * len..n {
        let j = at(t);
        c = (c + 1).min(u64::from(row[j]));
        row[j] = c as u32;
    }
    for s in 1..chains {
        let incoming = row[at(s * len - 1)];
        if incoming == u32::MAX {
            continue;
        }
        // The segment as a slice; its elements ascending in scan order or not.
        let end = if s + 1 == chains { n } else { (s + 1) * len };
        let (lo, hi) = if FORWARD {
            (s * len, end)
        } else {
            (n - end, n - s * len)
        };
        let m = hi - lo;
        for (i, d) in row[lo..hi].iter_mut().enumerate() {
            let ramp = if FORWARD { i + 1 } else { m - i };
            *d = (*d).min(incoming + ramp as u32);
        }
    }
}

/// Features after the scan: where it lowered a distance, the neighbour's feature (the
/// previous element's, the next one's backwards), else the element's own. Those elements
/// come in runs, found 64 at a time from a bit mask; each run copies the feature just
/// before it (in scan order), already final.
#[inline(always)]
fn fill<const FORWARD: bool>(row: &[u32], before: &[u32], f: &mut [i32]) {
    let n = row.len();
    let chunks = n.div_ceil(64);
    for k in 0..chunks {
        let c = if FORWARD {
            k * 64
        } else {
            (chunks - 1 - k) * 64
        };
        let m = (n - c).min(64);
        let mut mask = row[c..c + m]
            .iter()
            .zip(&before[c..c + m])
            .enumerate()
            .fold(0u64, |mask, (i, (&d, &b))| mask | (u64::from(d < b) << i));
        while mask != 0 {
            // The run nearest the scan's start: its first and last bit.
            let (a, b) = if FORWARD {
                let a = mask.trailing_zeros() as usize;
                (a, a + (!(mask >> a)).trailing_zeros() as usize)
            } else {
                let b = 64 - mask.leading_zeros() as usize;
                (b - (!(mask << (64 - b))).leading_zeros() as usize, b)
            };
            let from = if FORWARD { c + a - 1 } else { c + b };
            let value = f[from];
            f[c + a..c + b].fill(value);
            mask &= !(u64::MAX >> (64 - (b - a)) << a);
        }
    }
}

/// The next row's leading coordinates in C order (the previous one backwards).
fn advance(coords: &mut [usize], shape: &[usize], forward: bool) {
    for k in (0..coords.len()).rev() {
        if forward {
            coords[k] += 1;
            if coords[k] < shape[k] {
                return;
            }
            coords[k] = 0;
        } else {
            if coords[k] > 0 {
                coords[k] -= 1;
                return;
            }
            coords[k] = shape[k] - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn city_block_distances_of_a_line() {
        let input = [1, 1, 0, 1, 1, 1];
        let mut dt = [0u32; 6];
        chamfer(&input, &[6], &[true; 3], &mut dt, None).unwrap();
        assert_eq!(dt, [2, 1, 0, 1, 2, 3]);
    }

    #[test]
    fn chessboard_in_2d_with_features() {
        let mut input = [1u8; 9];
        input[0] = 0;
        let (mut dt, mut ft) = ([0u32; 9], [0i32; 9]);
        chamfer(&input, &[3, 3], &[true; 9], &mut dt, Some(&mut ft)).unwrap();
        assert_eq!(dt, [0, 1, 2, 1, 1, 2, 2, 2, 2]);
        assert!(ft.iter().all(|&f| f == 0));
    }

    #[test]
    fn unreached_elements_stay_minus_one() {
        let input = [1u8; 4];
        let mut dt = [0u32; 4];
        chamfer(&input, &[2, 2], &[true; 9], &mut dt, None).unwrap();
        assert!(dt.iter().all(|&d| d == u32::MAX));
    }
}
