//! Per-thread reuse of a kernel's line buffers across calls.
//!
//! A transform of one long line allocates buffers as long as the line; freed at the end of the
//! call, their pages go back to the OS and the next call faults them in again (measured: a
//! third of a 65536-point DCT). Buffers taken with `Pooled::take` return to a small pool of
//! the thread that drops them, and the next call of the same kind on that thread reuses them.

use std::any::Any;
use std::cell::RefCell;
use std::ops::{Deref, DerefMut};

/// Buffers kept per thread, and the largest size (bytes, as reported) kept.
const KEPT: usize = 4;
const LARGEST: usize = 64 << 20;

thread_local! {
    static POOL: RefCell<Vec<(usize, Box<dyn Any>)>> = const { RefCell::new(Vec::new()) };
}

/// A value that can be kept for reuse, reporting the bytes it holds.
pub trait Reusable: Default + 'static {
    fn bytes(&self) -> usize;
}

/// A value from the pool (or new), returned to the pool of the dropping thread.
pub struct Pooled<S: Reusable>(Option<S>);

impl<S: Reusable> Pooled<S> {
    pub fn take() -> Self {
        let found = POOL.with(|pool| {
            let mut pool = pool.borrow_mut();
            let i = pool.iter().position(|(_, b)| b.is::<S>())?;
            pool.swap_remove(i).1.downcast::<S>().ok()
        });
        Pooled(Some(found.map_or_else(S::default, |b| *b)))
    }
}

impl<S: Reusable> Deref for Pooled<S> {
    type Target = S;
    fn deref(&self) -> &S {
        self.0.as_ref().expect("present until dropped")
    }
}

impl<S: Reusable> DerefMut for Pooled<S> {
    fn deref_mut(&mut self) -> &mut S {
        self.0.as_mut().expect("present until dropped")
    }
}

impl<S: Reusable> Drop for Pooled<S> {
    fn drop(&mut self) {
        let Some(value) = self.0.take() else { return };
        let bytes = value.bytes();
        if bytes > LARGEST {
            return;
        }
        // `try_with`: a thread being torn down has no pool left; the value is just freed.
        let _ = POOL.try_with(|pool| {
            let mut pool = pool.borrow_mut();
            if pool.len() >= KEPT {
                // Make room by dropping the smallest kept value (cheapest to rebuild).
                if let Some(i) = (0..pool.len()).min_by_key(|&i| pool[i].0) {
                    pool.swap_remove(i);
                }
            }
            pool.push((bytes, Box::new(value)));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Buffer {
        data: Vec<u8>,
    }

    impl Reusable for Buffer {
        fn bytes(&self) -> usize {
            self.data.capacity()
        }
    }

    #[test]
    fn a_dropped_buffer_is_reused_by_the_same_thread() {
        let mut first = Pooled::<Buffer>::take();
        first.data.resize(1000, 7);
        let address = first.data.as_ptr();
        drop(first);
        let again = Pooled::<Buffer>::take();
        assert_eq!(again.data.as_ptr(), address);
        assert_eq!(again.data.len(), 1000);
        let other = std::thread::spawn(|| Pooled::<Buffer>::take().data.len()).join();
        assert_eq!(other.ok(), Some(0));
    }
}
