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

/// Runs each of `runs` once as warm-up (if `warmup`), then `repeats` rounds in which every run goes once,
/// in an order that rotates each round (A B C, B C A, ...). A run returns one or more
/// figures (always as many); the result holds, per run, the statistics of each figure.
pub fn alternate(
    repeats: usize,
    warmup: bool,
    runs: &mut [&mut dyn FnMut() -> Vec<f64>],
) -> Vec<Vec<Stats>> {
    if warmup {
        for run in runs.iter_mut() {
            run();
        }
    }
    let mut values: Vec<Vec<Vec<f64>>> = vec![Vec::with_capacity(repeats); runs.len()];
    for round in 0..repeats {
        for offset in 0..runs.len() {
            let index = (round + offset) % runs.len();
            values[index].push(runs[index]());
        }
    }
    values
        .iter()
        .map(|repeats| {
            let figures = repeats[0].len();
            (0..figures)
                .map(|figure| {
                    let column: Vec<f64> = repeats.iter().map(|repeat| repeat[figure]).collect();
                    Stats::of(&column)
                })
                .collect()
        })
        .collect()
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
            true,
            &mut [
                &mut || {
                    a += 1;
                    vec![a as f64, 0.5]
                },
                &mut || {
                    b += 1;
                    vec![10.0, 7.0]
                },
            ],
        );
        assert_eq!((a, b), (6, 6));
        assert_eq!(stats[0][0].min, 2.0);
        assert_eq!(stats[0][1].max, 0.5);
        assert_eq!(stats[1][0].median, 10.0);
        assert_eq!(stats[1][1].median, 7.0);
    }
}
