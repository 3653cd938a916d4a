#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/. Kept in plain JS so `npx lifeline` starts fast.
import '../dist/cli/main.js';
