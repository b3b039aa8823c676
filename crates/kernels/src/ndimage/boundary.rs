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
