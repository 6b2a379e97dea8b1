//! Repeating a measurement on several runtimes, alternating them so machine drift cancels,
//! and summarizing the repeats.

/// Min, median and max of one runtime's repeats.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    /// Smallest value.
    pub min: f64,
    /// Median value (the mean of the two middle ones for an even count).
    pub median: f64,
    /// Largest value.
    pub max: f64,
}

impl Stats {
    /// Summarizes `values` (at least one).
    pub fn of(values: &[f64]) -> Stats {
        assert!(!values.is_empty(), "no measurements");
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Stats {
            min: sorted[0],
            median,
            max: sorted[n - 1],
        }
    }
}

/// Runs each of `runs` once as warm-up, then `repeats` rounds in which every run goes once,
/// in an order that rotates each round (A B C, B C A, ...). Returns each run's statistics.
pub fn alternate(repeats: usize, runs: &mut [&mut dyn FnMut() -> f64]) -> Vec<Stats> {
    for run in runs.iter_mut() {
        run();
    }
    let mut values = vec![Vec::with_capacity(repeats); runs.len()];
    for round in 0..repeats {
        for offset in 0..runs.len() {
            let index = (round + offset) % runs.len();
            values[index].push(runs[index]());
        }
    }
    values.iter().map(|v| Stats::of(v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        let s = Stats::of(&[3.0, 1.0, 2.0]);
        assert_eq!((s.min, s.median, s.max), (1.0, 2.0, 3.0));
        assert_eq!(Stats::of(&[4.0, 1.0, 2.0, 3.0]).median, 2.5);
    }

    #[test]
    fn alternate_runs_everything_repeats_plus_warmup_times() {
        let mut a = 0;
        let mut b = 0;
        let stats = alternate(
            5,
            &mut [
                &mut || {
                    a += 1;
                    a as f64
                },
                &mut || {
                    b += 1;
                    10.0
                },
            ],
        );
        assert_eq!((a, b), (6, 6));
        assert_eq!(stats[0].min, 2.0);
        assert_eq!(stats[1].median, 10.0);
    }
}
