//! Turning the annotated `async fn` into a function that runs a runtime.

use crate::config::{Config, Flavor};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::ItemFn;

/// Which macro is expanding.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Main,
    Test,
}

impl Kind {
    fn default_flavor(self) -> Flavor {
        match self {
            Kind::Main => Flavor::MultiThread,
            Kind::Test => Flavor::CurrentThread,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Main => "main",
            Kind::Test => "test",
        }
    }
}

pub(crate) fn expand(args: TokenStream, item: TokenStream, kind: Kind) -> TokenStream {
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            let error = syn::Error::new_spanned(
                &item,
                format!(
                    "`#[kairos::{}]` can only be applied to an `async fn`",
                    kind.name()
                ),
            );
            return with_item(error, item);
        }
    };
    if let Err(error) = check_function(&function, kind) {
        return with_item(error, fallback_item(function));
    }
    match Config::parse(args, kind.default_flavor()) {
        Ok(config) => generate(function, &config, kind),
        Err(error) => {
            // Expand anyway, so the argument error is the only one reported.
            let mut tokens = generate(function, &Config::fallback(kind.default_flavor()), kind);
            tokens.extend(error.to_compile_error());
            tokens
        }
    }
}

/// A stand-in for a function the macro rejected, so that the rejection is the only error:
/// the signature without `async`, parameters or generics, and a body that never returns.
fn fallback_item(mut function: ItemFn) -> TokenStream {
    if function.sig.asyncness.is_none() {
        // Already a plain function: keep it as it is.
        return function.into_token_stream();
    }
    function.sig.asyncness = None;
    function.sig.inputs.clear();
    function.sig.generics = syn::Generics::default();
    *function.block = syn::parse_quote!({ ::core::unreachable!() });
    function.into_token_stream()
}

fn with_item(error: syn::Error, item: TokenStream) -> TokenStream {
    let mut tokens = error.to_compile_error();
    tokens.extend(item);
    tokens
}

fn check_function(function: &ItemFn, kind: Kind) -> Result<(), syn::Error> {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            sig.fn_token,
            format!(
                "the `async` keyword is missing from the function declaration; \
                 `#[kairos::{}]` runs an `async fn`",
                kind.name()
            ),
        ));
    }
    if !sig.inputs.is_empty() {
        let what = match kind {
            Kind::Main => "the main function cannot accept arguments",
            Kind::Test => "the test function cannot accept arguments",
        };
        return Err(syn::Error::new_spanned(&sig.inputs, what));
    }
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &sig.generics,
            format!("`#[kairos::{}]` functions cannot be generic", kind.name()),
        ));
    }
    if kind == Kind::Test {
        if let Some(attr) = function
            .attrs
            .iter()
            .find(|attr| attr.path().is_ident("test"))
        {
            return Err(syn::Error::new_spanned(
                attr,
                "a second `#[test]` attribute is given; `#[kairos::test]` already makes \
                 the function a test",
            ));
        }
    }
    Ok(())
}

fn generate(mut function: ItemFn, config: &Config, kind: Kind) -> TokenStream {
    function.sig.asyncness = None;
    let krate = &config.crate_path;
    let span = function.sig.span();
    let builder = match config.flavor {
        Flavor::CurrentThread => quote_spanned! {span=>
            #krate::runtime::Builder::new_current_thread()
        },
        Flavor::MultiThread => quote_spanned! {span=>
            #krate::runtime::Builder::new_multi_thread()
        },
    };
    let worker_threads = config
        .worker_threads
        .map(|n| quote_spanned! {span=> .worker_threads(#n) });
    let start_paused = config
        .start_paused
        .map(|paused| quote_spanned! {span=> .start_paused(#paused) });
    let body = &function.block;
    let new_body: syn::Block = syn::parse_quote_spanned! {span=>
        {
            let body = async #body;
            #[allow(
                clippy::expect_used,
                clippy::diverging_sub_expression,
                clippy::needless_return
            )]
            {
                return #builder
                    #worker_threads
                    #start_paused
                    .enable_all()
                    .build()
                    .expect("failed to build the Kairos runtime")
                    .block_on(body);
            }
        }
    };
    *function.block = new_body;
    let test_attr = match kind {
        Kind::Test => quote! { #[::core::prelude::v1::test] },
        Kind::Main => quote! {},
    };
    let mut tokens = test_attr;
    function.to_tokens(&mut tokens);
    tokens
}
