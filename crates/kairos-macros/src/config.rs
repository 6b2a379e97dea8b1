//! Parsing and checking the macros' arguments.

use proc_macro2::Span;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, Lit, MetaNameValue, Path, Token};

/// Which scheduler the generated runtime uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    CurrentThread,
    MultiThread,
}

/// The checked arguments.
pub(crate) struct Config {
    pub(crate) flavor: Flavor,
    pub(crate) worker_threads: Option<usize>,
    pub(crate) start_paused: Option<bool>,
    pub(crate) crate_path: Path,
}

const ARGUMENTS: &str = "`flavor`, `worker_threads`, `start_paused`, `crate`";

impl Config {
    /// Parses `args`, starting from `default_flavor`.
    pub(crate) fn parse(
        args: proc_macro2::TokenStream,
        default_flavor: Flavor,
    ) -> Result<Config, syn::Error> {
        let pairs = Punctuated::<MetaNameValue, Token![,]>::parse_terminated.parse2(args)?;
        let mut flavor: Option<(Flavor, Span)> = None;
        let mut worker_threads: Option<(usize, Span)> = None;
        let mut start_paused: Option<(bool, Span)> = None;
        let mut crate_path: Option<Path> = None;
        for pair in pairs {
            let name = pair
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let span = syn::spanned::Spanned::span(&pair.value);
            match name.as_str() {
                "flavor" => {
                    check_unset(flavor.is_some(), &pair)?;
                    let value = string_value(&pair.value, "flavor")?;
                    let parsed = match value.as_str() {
                        "current_thread" => Flavor::CurrentThread,
                        "multi_thread" => Flavor::MultiThread,
                        other => {
                            return Err(syn::Error::new(
                                span,
                                format!(
                                    "no such runtime flavor `{other}`; the runtime flavors are \
                                     `\"current_thread\"` and `\"multi_thread\"`"
                                ),
                            ))
                        }
                    };
                    flavor = Some((parsed, span));
                }
                "worker_threads" => {
                    check_unset(worker_threads.is_some(), &pair)?;
                    let value = int_value(&pair.value, "worker_threads")?;
                    if value == 0 {
                        return Err(syn::Error::new(span, "`worker_threads` may not be 0"));
                    }
                    worker_threads = Some((value, span));
                }
                "start_paused" => {
                    check_unset(start_paused.is_some(), &pair)?;
                    start_paused = Some((bool_value(&pair.value, "start_paused")?, span));
                }
                "crate" => {
                    check_unset(crate_path.is_some(), &pair)?;
                    let value = string_value(&pair.value, "crate")?;
                    crate_path = Some(syn::parse_str::<Path>(&value).map_err(|_| {
                        syn::Error::new(span, format!("`crate` must be a path, got `{value}`"))
                    })?);
                }
                _ => {
                    return Err(syn::Error::new_spanned(
                        &pair.path,
                        format!(
                            "unknown argument `{}`; expected one of: {ARGUMENTS}",
                            quote::ToTokens::to_token_stream(&pair.path)
                        ),
                    ))
                }
            }
        }
        let flavor_value = flavor.map_or(default_flavor, |(f, _)| f);
        if let (Flavor::CurrentThread, Some((_, span))) = (flavor_value, worker_threads) {
            return Err(syn::Error::new(
                span,
                "`worker_threads` only applies to the `multi_thread` flavor; the \
                 `current_thread` runtime runs everything on one thread",
            ));
        }
        if let (Flavor::MultiThread, Some((_, span))) = (flavor_value, start_paused) {
            return Err(syn::Error::new(
                span,
                "`start_paused` needs the `current_thread` flavor: a paused clock cannot be \
                 shared by the workers of a `multi_thread` runtime",
            ));
        }
        Ok(Config {
            flavor: flavor_value,
            worker_threads: worker_threads.map(|(n, _)| n),
            start_paused: start_paused.map(|(paused, _)| paused),
            crate_path: crate_path.unwrap_or_else(|| syn::parse_quote!(::kairos)),
        })
    }

    /// The configuration used to keep expanding after an argument error, so that only the
    /// argument error is reported.
    pub(crate) fn fallback(default_flavor: Flavor) -> Config {
        Config {
            flavor: default_flavor,
            worker_threads: None,
            start_paused: None,
            crate_path: syn::parse_quote!(::kairos),
        }
    }
}

fn check_unset(already: bool, pair: &MetaNameValue) -> Result<(), syn::Error> {
    if already {
        return Err(syn::Error::new_spanned(
            &pair.path,
            format!(
                "`{}` is given more than once",
                quote::ToTokens::to_token_stream(&pair.path)
            ),
        ));
    }
    Ok(())
}

fn string_value(expr: &Expr, name: &str) -> Result<String, syn::Error> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(s.value()),
        _ => Err(syn::Error::new_spanned(
            expr,
            format!("`{name}` takes a string, as in `{name} = \"...\"`"),
        )),
    }
}

fn int_value(expr: &Expr, name: &str) -> Result<usize, syn::Error> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse::<usize>(),
        _ => Err(syn::Error::new_spanned(
            expr,
            format!("`{name}` takes an integer, as in `{name} = 4`"),
        )),
    }
}

fn bool_value(expr: &Expr, name: &str) -> Result<bool, syn::Error> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => Ok(b.value),
        _ => Err(syn::Error::new_spanned(
            expr,
            format!("`{name}` takes a boolean, as in `{name} = true`"),
        )),
    }
}
