#!/usr/bin/env node
// A committed, executable entry: npm links bins at install time, before dist/ exists.
import '../dist/main.js';
