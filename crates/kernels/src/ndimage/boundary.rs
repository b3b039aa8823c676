//! Boundary modes: how a line is extended past its ends (`NI_ExtendLine`, for the 1-D line
//! filters) and how a coordinate outside the array maps back into it
//! (`NI_InitFilterOffsets`, for the N-D footprint filters). Both are SciPy's, step for step:
//! they differ for footprints longer than twice the axis.

/// The extension modes (SciPy's mode codes 0-6; `grid-wrap` is `wrap`, `grid-constant` is
/// `constant` and `grid-mirror` is `reflect` for filters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Nearest,
    Wrap,
    Reflect,
    Mirror,
    Constant,
}

impl Mode {
    /// From `scipy.ndimage._ni_support._extend_mode_to_code`.
    pub fn from_code(code: i64) -> Option<Mode> {
        Some(match code {
            0 => Mode::Nearest,
            1 | 5 => Mode::Wrap,
            2 => Mode::Reflect,
            3 => Mode::Mirror,
            4 | 6 => Mode::Constant,
            _ => return None,
        })
    }
}

/// Where each of the `before + len + after` values of an extended line comes from: an index
/// into the line, or `None` for `cval`. `NI_ExtendLine` run on the indices themselves
/// (it copies within the buffer, so a long extension repeats the extended part).
pub fn extend_indices(len: usize, before: usize, after: usize, mode: Mode) -> Vec<Option<usize>> {
    let total = before + len + after;
    let mut buf: Vec<Option<usize>> = vec![None; total];
    if len == 0 {
        return buf;
    }
    for (i, b) in buf[before..before + len].iter_mut().enumerate() {
        *b = Some(i);
    }
    let mode = if len == 1 && mode == Mode::Mirror {
        Mode::Nearest
    } else {
        mode
    };
    let (first, last) = (before as isize, (before + len) as isize);
    let mut copy = |dst: isize, src: isize| buf[dst as usize] = buf[src as usize];
    match mode {
        Mode::Nearest => {
            (0..first).for_each(|d| copy(d, first));
            (last..last + after as isize).for_each(|d| copy(d, last - 1));
        }
        Mode::Wrap => {
            let (mut src, mut dst) = (last - 1, first - 1);
            for _ in 0..before {
                copy(dst, src);
                dst -= 1;
                src -= 1;
            }
            let (mut src, mut dst) = (first, last);
            for _ in 0..after {
                copy(dst, src);
                dst += 1;
                src += 1;
            }
        }
        Mode::Reflect | Mode::Mirror => {
            // Mirror skips the edge value itself.
            let skip = isize::from(mode == Mode::Mirror);
            let mut size = before;
            let (mut src, mut dst) = (first + skip, first - 1);
            while size > 0 && src < last {
                copy(dst, src);
                dst -= 1;
                src += 1;
                size -= 1;
            }
            src = last - 1 - skip;
            while size > 0 {
                copy(dst, src);
                dst -= 1;
                src -= 1;
                size -= 1;
            }
            let mut size = after;
            let (mut src, mut dst) = (last - 1 - skip, last);
            while size > 0 && src >= first {
                copy(dst, src);
                dst += 1;
                src -= 1;
                size -= 1;
            }
            src = first + skip;
            while size > 0 {
                copy(dst, src);
                dst += 1;
                src += 1;
                size -= 1;
            }
        }
        Mode::Constant => {}
    }
    buf
}

/// A closed-form source: `(len, distance from the edge) -> index`.
type Closed = fn(usize, usize) -> Option<usize>;

/// Where the values of an extended line come from, without an entry per value of the line
/// itself: `before` and `after` hold the extensions' sources, positions in between are the
/// line's own (`before.len() + i` is element `i`).
pub struct Sources {
    pub before: Vec<Option<usize>>,
    pub after: Vec<Option<usize>>,
    pub len: usize,
}

impl Sources {
    /// As [`extend_indices`]; in closed form when the extensions are shorter than the line
    /// (then `NI_ExtendLine` only copies from the line itself).
    pub fn new(len: usize, before: usize, after: usize, mode: Mode) -> Sources {
        if len <= 2 * (before + after) + 2 {
            let mut all = extend_indices(len, before, after, mode);
            let after_part = all.split_off(before + len);
            all.truncate(before);
            return Sources {
                before: all,
                after: after_part,
                len,
            };
        }
        let n = len;
        // `k`: the distance from the line's edge, 1 for the value next to it.
        let (head, tail): (Closed, Closed) = match mode {
            Mode::Nearest => (|_, _| Some(0), |n, _| Some(n - 1)),
            Mode::Wrap => (|n, k| Some(n - k), |_, k| Some(k - 1)),
            Mode::Reflect => (|_, k| Some(k - 1), |n, k| Some(n - k)),
            Mode::Mirror => (|_, k| Some(k), |n, k| Some(n - 1 - k)),
            Mode::Constant => (|_, _| None, |_, _| None),
        };
        Sources {
            before: (0..before).map(|j| head(n, before - j)).collect(),
            after: (0..after).map(|a| tail(n, a + 1)).collect(),
            len,
        }
    }

    /// Positions in the extended line.
    pub fn total(&self) -> usize {
        self.before.len() + self.len + self.after.len()
    }

    /// The source of position `j`.
    #[inline]
    pub fn get(&self, j: usize) -> Option<usize> {
        let b = self.before.len();
        if j < b {
            self.before[j]
        } else if j < b + self.len {
            Some(j - b)
        } else {
            self.after.get(j - b - self.len).copied().flatten()
        }
    }
}

/// The index that coordinate `cc` (possibly outside `0..len`) reads, or `None` for `cval`:
/// `NI_InitFilterOffsets`'s per-axis mapping, C's truncating divisions included.
pub fn map_coordinate(cc: isize, len: usize, mode: Mode) -> Option<usize> {
    let len = len as isize;
    let mut cc = cc;
    match mode {
        Mode::Mirror => {
            if cc < 0 {
                if len <= 1 {
                    cc = 0;
                } else {
                    let sz2 = 2 * len - 2;
                    cc += sz2 * (-cc / sz2);
                    cc = if cc <= 1 - len { cc + sz2 } else { -cc };
                }
            } else if cc >= len {
                if len <= 1 {
                    cc = 0;
                } else {
                    let sz2 = 2 * len - 2;
                    cc -= sz2 * (cc / sz2);
                    if cc >= len {
                        cc = sz2 - cc;
                    }
                }
            }
        }
        Mode::Reflect => {
            if cc < 0 {
                if len <= 1 {
                    cc = 0;
                } else {
                    let sz2 = 2 * len;
                    if cc < -sz2 {
                        cc += sz2 * (-cc / sz2);
                    }
                    cc = if cc < -len { cc + sz2 } else { -cc - 1 };
                }
            } else if cc >= len {
                if len <= 1 {
                    cc = 0;
                } else {
                    let sz2 = 2 * len;
                    cc -= sz2 * (cc / sz2);
                    if cc >= len {
                        cc = sz2 - cc - 1;
                    }
                }
            }
        }
        Mode::Wrap => {
            if cc < 0 {
                if len <= 1 {
                    cc = 0;
                } else {
                    cc += len * (-cc / len);
                    if cc < 0 {
                        cc += len;
                    }
                }
            } else if cc >= len {
                cc = if len <= 1 { 0 } else { cc - len * (cc / len) };
            }
        }
        Mode::Nearest => cc = cc.clamp(0, len - 1),
        Mode::Constant => {
            if cc < 0 || cc >= len {
                return None;
            }
        }
    }
    Some(cc as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(len: usize, before: usize, after: usize, mode: Mode) -> Vec<i64> {
        extend_indices(len, before, after, mode)
            .into_iter()
            .map(|i| i.map_or(-1, |i| i as i64))
            .collect()
    }

    #[test]
    fn extends_like_scipy() {
        assert_eq!(ext(3, 2, 2, Mode::Reflect), [1, 0, 0, 1, 2, 2, 1]);
        assert_eq!(ext(3, 2, 2, Mode::Mirror), [2, 1, 0, 1, 2, 1, 0]);
        assert_eq!(ext(3, 2, 2, Mode::Wrap), [1, 2, 0, 1, 2, 0, 1]);
        assert_eq!(ext(3, 2, 2, Mode::Nearest), [0, 0, 0, 1, 2, 2, 2]);
        assert_eq!(ext(3, 2, 2, Mode::Constant), [-1, -1, 0, 1, 2, -1, -1]);
        assert_eq!(ext(2, 5, 0, Mode::Reflect), [0, 0, 1, 1, 0, 0, 1]);
        assert_eq!(ext(1, 2, 1, Mode::Mirror), [0, 0, 0, 0]);
    }

    #[test]
    fn closed_forms_agree() {
        for mode in [
            Mode::Nearest,
            Mode::Wrap,
            Mode::Reflect,
            Mode::Mirror,
            Mode::Constant,
        ] {
            for (before, after) in [(0, 0), (1, 3), (7, 2), (10, 10)] {
                let n = 2 * (before + after) + 3;
                let full = extend_indices(n, before, after, mode);
                let s = Sources::new(n, before, after, mode);
                assert_eq!(s.total(), full.len());
                for (j, want) in full.iter().enumerate() {
                    assert_eq!(s.get(j), *want, "{mode:?} {before} {after} {j}");
                }
            }
        }
    }

    #[test]
    fn maps_like_scipy() {
        let m = |cc, mode| map_coordinate(cc, 3, mode).map_or(-1, |i| i as i64);
        assert_eq!(m(-1, Mode::Reflect), 0);
        assert_eq!(m(-4, Mode::Reflect), 2);
        assert_eq!(m(3, Mode::Reflect), 2);
        assert_eq!(m(-1, Mode::Mirror), 1);
        assert_eq!(m(3, Mode::Mirror), 1);
        assert_eq!(m(-1, Mode::Wrap), 2);
        assert_eq!(m(4, Mode::Wrap), 1);
        assert_eq!(m(5, Mode::Nearest), 2);
        assert_eq!(m(5, Mode::Constant), -1);
    }
}
