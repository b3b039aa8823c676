//! Connected-component labelling of the non-zero pixels of an N-D image, with any symmetric
//! 3x3x...x3 connectivity structure, numbered as SciPy numbers them.
//!
//! SciPy scans the image line by line along one axis (the output's smallest positive stride),
//! the lines in C order of the other axes; a component's label is the rank of its first pixel
//! in that scan. Here: one scan in the same order giving each pixel a provisional label from
//! its already-scanned neighbours (the structure's half before its centre), joined in a
//! union-find whose root is always the smallest (first created) label; provisional labels are
//! then numbered in order of creation, roots only, which is the rank of first pixels.

use ndarray::{ArrayViewD, ArrayViewMutD, Zip};

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
    let len = shape[ndim - 1];
    let mut cstrides = vec![1isize; ndim];
    for k in (0..ndim - 1).rev() {
        cstrides[k] = cstrides[k + 1] * shape[k + 1] as isize;
    }
    // Neighbours scanned before a pixel: the structure's offsets before its centre in the
    // permuted C order (the other half is their mirror image).
    let mut neighbours: Vec<Vec<isize>> = Vec::new(); // per offset: delta in permuted axes
    let mut delta = vec![0isize; ndim];
    for (flat, &on) in structure.iter().enumerate() {
        if !on {
            continue;
        }
        let mut rest = flat;
        for k in (0..ndim).rev() {
            delta[k] = (rest % 3) as isize - 1;
            rest /= 3;
        }
        let permuted: Vec<isize> = perm.iter().map(|&k| delta[k]).collect();
        if permuted.iter().find(|&&d| d != 0).is_some_and(|&d| d < 0) {
            neighbours.push(permuted);
        }
    }
    let mut provisional = vec![0u32; input.len()];
    let mut sets = UnionFind { parent: vec![0] };
    let mut valid: Vec<(isize, isize)> = Vec::with_capacity(neighbours.len()); // (offset, delta along the line)
    for_rows(&input, |coords, start, row| {
        valid.clear();
        for d in &neighbours {
            let inside =
                coords.iter().zip(d).zip(&shape).all(|((&c, &dk), &n)| {
                    (c as isize + dk) >= 0 && ((c as isize + dk) as usize) < n
                });
            if inside {
                let offset: isize = d.iter().zip(&cstrides).map(|(a, b)| a * b).sum();
                valid.push((offset, d[ndim - 1]));
            }
        }
        let (before, line) = provisional.split_at_mut(start);
        let line = &mut line[..len];
        for (i, value) in row.iter().enumerate() {
            if value.is_zero() {
                continue;
            }
            let mut current = 0u32;
            for &(offset, along) in &valid {
                let j = i as isize + along;
                if j < 0 || j >= len as isize {
                    continue;
                }
                let at = start as isize + i as isize + offset;
                let neighbour = if at >= start as isize {
                    line[(at - start as isize) as usize]
                } else {
                    before[at as usize]
                };
                if neighbour == 0 {
                    continue;
                }
                if current == 0 {
                    current = neighbour;
                } else if current != neighbour {
                    current = sets.union(current, neighbour);
                }
            }
            if current == 0 {
                current = sets.parent.len() as u32;
                sets.parent.push(current);
            }
            line[i] = current;
        }
    });
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
    let provisional = ndarray::ArrayView::from_shape(shape.clone(), &provisional).expect("C order");
    let mut output = output;
    let zip = Zip::from(&mut output).and(&provisional);
    let write = |o: &mut O, &p: &u32| *o = O::from_label(final_label[p as usize]);
    if provisional.len() >= 1 << 18 {
        zip.par_for_each(write);
    } else {
        zip.for_each(write);
    }
    Ok(count as usize)
}
