//! Thread pools sized by `workers`, built once per size and kept (SciPy's `workers` argument).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use rayon::ThreadPool;

static POOLS: LazyLock<Mutex<HashMap<usize, Arc<ThreadPool>>>> = LazyLock::new(Default::default);

/// Runs `f` on a pool of `workers` threads (inline when `workers <= 1`).
pub fn with_workers<R: Send>(workers: usize, f: impl FnOnce() -> R + Send) -> R {
    if workers <= 1 {
        return f();
    }
    let pool = {
        let mut pools = POOLS.lock().unwrap_or_else(PoisonError::into_inner);
        match pools.get(&workers) {
            Some(pool) => pool.clone(),
            None => {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(workers)
                    .thread_name(|i| format!("uscipy-{i}"))
                    .build()
                    .map(Arc::new);
                match pool {
                    Ok(pool) => pools.entry(workers).or_insert(pool).clone(),
                    // No threads to be had: compute on the caller's thread.
                    Err(_) => return f(),
                }
            }
        }
    };
    pool.install(f)
}
