//! The `dotnet` module.
