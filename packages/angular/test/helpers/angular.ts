import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
  type TestRequest,
} from '@angular/common/http/testing';
import { type EnvironmentProviders, type Provider, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';
import type { Observable } from 'rxjs';
import { staticKeyInterceptor } from '../../src/index.js';

/*
 * Angular in Vitest: JIT (each test file imports '@angular/compiler' on its
 * first line, before any Angular package loads), zoneless, the
 * browser testing platform over happy-dom (each test file says
 * `// @vitest-environment happy-dom`). Vitest runs without globals, so
 * TestBed is reset here rather than by Angular's own hooks.
 */
TestBed.initTestEnvironment(BrowserTestingModule, platformBrowserTesting());

export interface HttpHarness {
  readonly http: HttpClient;
  readonly backend: HttpTestingController;
}

export function setUpHttp(...providers: (Provider | EnvironmentProviders)[]): HttpHarness {
  TestBed.resetTestingModule();
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      provideHttpClient(withInterceptors([staticKeyInterceptor])),
      provideHttpClientTesting(),
      ...providers,
    ],
  });
  return { http: TestBed.inject(HttpClient), backend: TestBed.inject(HttpTestingController) };
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** What a component's subscriber ends with: the last value, or the error. */
export function outcome<T>(source: Observable<T>): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    let last: { value: T } | undefined;
    source.subscribe({
      next: (value) => {
        last = { value };
      },
      error: (error: unknown) => resolve({ ok: false, error }),
      complete: () =>
        resolve(
          last === undefined ? { ok: false, error: 'completed empty' } : { ok: true, value: last.value },
        ),
    });
  });
}

/**
 * The interceptor seals asynchronously (Web Crypto), so the request reaches
 * the testing backend a few ticks after `subscribe`: wait for it.
 */
export async function nextRequest(backend: HttpTestingController, url: string): Promise<TestRequest> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const found = backend.match(url);
    if (found.length > 1) throw new Error(`${found.length} requests for ${url}`);
    if (found[0] !== undefined) return found[0];
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no request for ${url}`);
}
