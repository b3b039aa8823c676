//! `watershed_ift`: SciPy's image foresting transform (`NI_WatershedIFT`), step for step.
//!
//! A bucket queue over path costs (the largest absolute input difference along a path):
//! buckets are doubly linked lists, markers start in bucket 0 (positive labels at the front,
//! negative ones at the back), each popped element offers its cost and label to its
//! neighbours, and a neighbour whose cost drops is unlinked and pushed to the front of its
//! new bucket (to the back for a negative label). SciPy's exact order matters for the labels
//! on ties, and so do its quirks, kept here on purpose:
//!
//! * neighbours are flat offsets, valid when inside the array: a step off one end of a row
//!   lands on the next row (the other end of the previous one);
//! * an element alone in its bucket is not unlinked when its cost drops (it has no links), so
//!   the old bucket keeps pointing at it, it may be popped again, and later pushes to that
//!   bucket relink it;
//! * popping the last element of a bucket leaves the bucket's `last` pointing at it.
//!
//! Elements are linked by index (`NONE` for null), their state in one node each.

const NONE: u32 = u32::MAX;

/// A label as SciPy reads it back from its output array: `(int)(output type)label`.
fn stored(label: i32, output_bits: u32) -> i32 {
    match output_bits {
        8 => label as i8 as i32,
        16 => label as i16 as i32,
        _ => label,
    }
}

/// SciPy's watershed of `input` (C order, `shape`) from `markers` (their values as C `int`s),
/// with `structure` (`3^rank` booleans, C order: the neighbourhood, centre ignored), into
/// `labels` (each as read back from an output of `output_bits` bits: 8, 16, 32 or 64).
pub fn watershed_ift<T: Copy + Into<u16>>(
    input: &[T],
    markers: &[i32],
    shape: &[usize],
    structure: &[bool],
    output_bits: u32,
    labels: &mut [i32],
) -> Result<(), String> {
    let rank = shape.len();
    let size: usize = shape.iter().product();
    if rank == 0 || Some(structure.len()) != 3usize.checked_pow(rank as u32) {
        return Err("a structure of 3^rank values expected".into());
    }
    if input.len() != size || markers.len() != size || labels.len() != size {
        return Err("sizes do not match the shape".into());
    }
    if size >= NONE as usize || !matches!(output_bits, 8 | 16 | 32 | 64) {
        return Err("too many elements, or an unknown output width".into());
    }
    if size == 0 {
        return Ok(());
    }
    let maxval = input.iter().map(|&v| v.into()).max().unwrap_or(0) as usize;
    // One bucket past the costs: SciPy's unqueued cost (maxval + 1) is never indexed there
    // in valid runs, but keeps a stale link harmless.
    let mut first = vec![NONE; maxval + 2];
    let mut last = vec![NONE; maxval + 2];
    // Everything a visit reads or writes but the input value, in one 16-byte node.
    let mut nodes: Vec<Node> = markers
        .iter()
        .map(|&label| Node {
            cost: if label == 0 { maxval as u32 + 1 } else { 0 },
            next: NONE,
            prev: NONE,
            label: stored(label, output_bits),
        })
        .collect();
    for (jj, &label) in markers.iter().enumerate() {
        let j = jj as u32;
        if label == 0 {
            continue;
        } else if first[0] == NONE {
            (first[0], last[0]) = (j, j);
        } else if label > 0 {
            // Object markers to the front, processed first.
            nodes[jj].next = first[0];
            nodes[first[0] as usize].prev = j;
            first[0] = j;
        } else {
            nodes[last[0] as usize].next = j;
            nodes[jj].prev = last[0];
            last[0] = j;
        }
    }
    let offsets = offsets(shape, structure);
    for bucket in 0..=maxval {
        while first[bucket] != NONE {
            let v = first[bucket] as usize;
            first[bucket] = nodes[v].next;
            if first[bucket] != NONE {
                nodes[first[bucket] as usize].prev = NONE;
            }
            let node = &mut nodes[v];
            (node.prev, node.next) = (NONE, NONE);
            node.cost |= DONE;
            let (vcost, label) = (node.cost & !DONE, node.label);
            let vval: u16 = input[v].into();
            for &off in &offsets {
                let p = v as isize + off;
                if p < 0 || p as usize >= size {
                    continue;
                }
                let p = p as usize;
                let node = &mut nodes[p];
                if node.cost & DONE != 0 {
                    continue;
                }
                let max = vcost.max(u32::from(vval.abs_diff(input[p].into())));
                if max >= node.cost {
                    continue;
                }
                let pcost = node.cost as usize;
                (node.cost, node.label) = (max, label);
                let (pp, pn) = (node.prev, node.next);
                let (p, max) = (p as u32, max as usize);
                if pp != NONE || pn != NONE {
                    if first[pcost] == p {
                        first[pcost] = pn;
                    }
                    if last[pcost] == p {
                        last[pcost] = pp;
                    }
                    if pp != NONE {
                        nodes[pp as usize].next = pn;
                    }
                    if pn != NONE {
                        nodes[pn as usize].prev = pp;
                    }
                }
                if label < 0 {
                    nodes[p as usize].prev = last[max];
                    nodes[p as usize].next = NONE;
                    if last[max] != NONE {
                        nodes[last[max] as usize].next = p;
                    }
                    last[max] = p;
                    if first[max] == NONE {
                        first[max] = p;
                    }
                } else {
                    nodes[p as usize].next = first[max];
                    nodes[p as usize].prev = NONE;
                    if first[max] != NONE {
                        nodes[first[max] as usize].prev = p;
                    }
                    first[max] = p;
                    if last[max] == NONE {
                        last[max] = p;
                    }
                }
            }
        }
    }
    for (l, node) in labels.iter_mut().zip(&nodes) {
        *l = node.label;
    }
    Ok(())
}

/// Set in a node's cost once it has been popped (costs are at most 65536).
const DONE: u32 = 1 << 31;

/// An element's queue state: its path cost (and `DONE`), links (`NONE`: null) and label.
#[derive(Clone, Copy)]
struct Node {
    cost: u32,
    next: u32,
    prev: u32,
    label: i32,
}

/// The flat offsets of the structure's elements in C order, the centre and any other zero
/// offset left out (SciPy's order; a zero offset is the element itself, already done).
fn offsets(shape: &[usize], structure: &[bool]) -> Vec<isize> {
    let rank = shape.len();
    let mut strides = vec![1isize; rank];
    for k in (0..rank - 1).rev() {
        strides[k] = strides[k + 1] * shape[k + 1] as isize;
    }
    structure
        .iter()
        .enumerate()
        .filter(|(_, &on)| on)
        .map(|(s, _)| {
            let mut rest = s;
            let mut offset = 0isize;
            for k in (0..rank).rev() {
                offset += ((rest % 3) as isize - 1) * strides[k];
                rest /= 3;
            }
            offset
        })
        .filter(|&o| o != 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_basins_split_at_the_ridge() {
        let input = [0u16, 1, 9, 1, 0];
        let markers = [1, 0, 0, 0, 2];
        let mut labels = [0; 5];
        watershed_ift(&input, &markers, &[5], &[true; 3], 32, &mut labels).unwrap();
        assert_eq!(labels, [1, 1, 1, 2, 2]);
    }

    #[test]
    fn labels_wrap_to_the_output_width() {
        let mut labels = [0; 2];
        watershed_ift(&[0u16, 0], &[300, 0], &[2], &[true; 3], 8, &mut labels).unwrap();
        assert_eq!(labels, [44, 44]);
    }
}
