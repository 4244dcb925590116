// Package apifuzz holds the fuzz targets of the API's body parsers: the
// webhook body, the what-if body, the review body and the bearer token's
// claims, each through the real router. They live apart from package api
// so that a fuzzing build does not instrument the SQLite driver the api
// tests use (compiling it with coverage instrumentation takes minutes):
// these targets run on in-memory fakes. See the README for the commands.
package apifuzz
