//! `Debug` and `Display` for lock guards: a guard formats as the value it gives access to.

/// Implements `Debug` and `Display` for a guard type by formatting its `Deref` target.
///
/// `guard_fmt!([generics] Guard<..>)`, e.g. `guard_fmt!(['a, T: ?Sized] MutexGuard<'a, T>)`.
macro_rules! guard_fmt {
    ([$($generics:tt)*] $guard:ty) => {
        impl<$($generics)*> std::fmt::Debug for $guard
        where
            <$guard as std::ops::Deref>::Target: std::fmt::Debug,
        {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(&**self, f)
            }
        }

        impl<$($generics)*> std::fmt::Display for $guard
        where
            <$guard as std::ops::Deref>::Target: std::fmt::Display,
        {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&**self, f)
            }
        }
    };
}
