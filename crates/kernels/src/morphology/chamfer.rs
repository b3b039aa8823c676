//! The chamfer distance transform of `distance_transform_cdt`: distances in steps of a 3^d
//! neighbourhood (city-block for the cross, chessboard for the full cube), by the two raster
//! passes SciPy makes. Each element takes one more than the nearest of its already-visited
//! neighbours (the structure's first half in C order: those before the centre), first in a
//! forward raster scan, then in a backward one over the mirrored half. Ties keep the first
//! neighbour in the structure's order, so distances and feature indices equal SciPy's.

/// Distances `dt` (C order: 0 on the background, -1 to compute; -1 stays where no background
/// is reachable) and optionally the flat index `ft` of the background element each came
/// from (initially each element's own index). `structure`: 3^ndim booleans, C order.
pub fn chamfer(dt: &mut [i32], mut ft: Option<&mut [i32]>, shape: &[usize], structure: &[bool]) {
    let ndim = shape.len();
    let size: usize = shape.iter().product();
    if size == 0 || ndim == 0 || dt.len() != size || ft.as_ref().is_some_and(|f| f.len() != size) {
        return;
    }
    // Neighbours before the centre: per-axis steps, in the structure's order.
    let steps: Vec<Vec<isize>> = (0..structure.len() / 2)
        .filter(|&s| structure.get(s).copied().unwrap_or(false))
        .map(|s| {
            let mut digits = vec![0isize; ndim];
            let mut rest = s;
            for d in digits.iter_mut().rev() {
                *d = (rest % 3) as isize - 1;
                rest /= 3;
            }
            digits
        })
        .collect();
    let mut strides = vec![1isize; ndim];
    for k in (0..ndim.saturating_sub(1)).rev() {
        strides[k] = strides[k + 1] * shape[k + 1] as isize;
    }
    let offsets: Vec<isize> = steps
        .iter()
        .map(|step| step.iter().zip(&strides).map(|(a, b)| a * b).sum())
        .collect();
    for forward in [true, false] {
        // Backward: the mirrored neighbours, visited in reverse raster order.
        let sign: isize = if forward { 1 } else { -1 };
        let mut coords: Vec<usize> = if forward {
            vec![0; ndim]
        } else {
            shape.iter().map(|&n| n - 1).collect()
        };
        for i in 0..size {
            let p = if forward { i } else { size - 1 - i };
            let value = dt[p];
            if value != 0 {
                let mut best = value;
                let mut source = None;
                for (step, &offset) in steps.iter().zip(&offsets) {
                    let inside = step.iter().zip(&coords).zip(shape).all(|((&s, &c), &n)| {
                        let q = c as isize + sign * s;
                        (0..n as isize).contains(&q)
                    });
                    if !inside {
                        continue;
                    }
                    let q = (p as isize + sign * offset) as usize;
                    let t = dt[q];
                    if t >= 0 && (best < 0 || t + 1 < best) {
                        best = t + 1;
                        source = Some(q);
                    }
                }
                dt[p] = best;
                if let (Some(ft), Some(q)) = (ft.as_deref_mut(), source) {
                    ft[p] = ft[q];
                }
            }
            advance(&mut coords, shape, forward);
        }
    }
}

/// The next C-order coordinates (or the previous ones, backwards).
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
        let mut dt = vec![-1, -1, 0, -1, -1, -1];
        let cross = [true, true, true]; // generate_binary_structure(1, 1)
        chamfer(&mut dt, None, &[6], &cross);
        assert_eq!(dt, vec![2, 1, 0, 1, 2, 3]);
    }

    #[test]
    fn chessboard_in_2d_with_features() {
        let mut dt = vec![-1; 9];
        dt[0] = 0;
        let mut ft: Vec<i32> = (0..9).collect();
        chamfer(&mut dt, Some(&mut ft), &[3, 3], &[true; 9]);
        assert_eq!(dt, vec![0, 1, 2, 1, 1, 2, 2, 2, 2]);
        assert!(ft.iter().all(|&f| f == 0));
    }
}
