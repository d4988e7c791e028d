import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable } from "@react-router/node";
import { Link, Links, Meta, Outlet, Scripts, ScrollRestoration, ServerRouter, UNSAFE_withComponentProps, useLoaderData } from "react-router";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { jsx, jsxs } from "react/jsx-runtime";
// \0rolldown/runtime.js
var __defProp = Object.defineProperty;
var __exportAll = (all, no_symbols) => {
	let target = {};
	for (var name in all) __defProp(target, name, {
		get: all[name],
		enumerable: true
	});
	if (!no_symbols) __defProp(target, Symbol.toStringTag, { value: "Module" });
	return target;
};
// ../../node_modules/@react-router/dev/dist/config/defaults/entry.server.node.tsx
var entry_server_node_exports = /* @__PURE__ */ __exportAll({
	default: () => handleRequest,
	streamTimeout: () => streamTimeout
});
var streamTimeout = 5e3;
function handleRequest(request, responseStatusCode, responseHeaders, routerContext, loadContext) {
	if (request.method.toUpperCase() === "HEAD") return new Response(null, {
		status: responseStatusCode,
		headers: responseHeaders
	});
	return new Promise((resolve, reject) => {
		let shellRendered = false;
		let userAgent = request.headers.get("user-agent");
		let readyOption = userAgent && isbot(userAgent) || routerContext.isSpaMode ? "onAllReady" : "onShellReady";
		let timeoutId = setTimeout(() => abort(), 6e3);
		const { pipe, abort } = renderToPipeableStream(/* @__PURE__ */ jsx(ServerRouter, {
			context: routerContext,
			url: request.url
		}), {
			[readyOption]() {
				shellRendered = true;
				const body = new PassThrough({ final(callback) {
					clearTimeout(timeoutId);
					timeoutId = void 0;
					callback();
				} });
				const stream = createReadableStreamFromReadable(body);
				responseHeaders.set("Content-Type", "text/html");
				pipe(body);
				resolve(new Response(stream, {
					headers: responseHeaders,
					status: responseStatusCode
				}));
			},
			onShellError(error) {
				reject(error);
			},
			onError(error) {
				responseStatusCode = 500;
				if (shellRendered) console.error(error);
			}
		});
	});
}
// app/root.tsx
var root_exports = /* @__PURE__ */ __exportAll({
	Layout: () => Layout,
	default: () => root_default
});
function Layout({ children }) {
	return /* @__PURE__ */ jsxs("html", {
		lang: "en",
		children: [/* @__PURE__ */ jsxs("head", { children: [
			/* @__PURE__ */ jsx("meta", { charSet: "utf-8" }),
			/* @__PURE__ */ jsx(Meta, {}),
			/* @__PURE__ */ jsx(Links, {})
		] }), /* @__PURE__ */ jsxs("body", { children: [
			children,
			/* @__PURE__ */ jsx(ScrollRestoration, {}),
			/* @__PURE__ */ jsx(Scripts, {})
		] })]
	});
}
var root_default = UNSAFE_withComponentProps(function App() {
	return /* @__PURE__ */ jsx(Outlet, {});
});
// app/routes/home.tsx
var home_exports = /* @__PURE__ */ __exportAll({ default: () => home_default });
var home_default = UNSAFE_withComponentProps(function Home() {
	return /* @__PURE__ */ jsxs("main", { children: [/* @__PURE__ */ jsx("h1", { children: "Home" }), /* @__PURE__ */ jsx(Link, {
		to: "/posts/hello",
		children: "Hello"
	})] });
});
// ../../packages/runtime/dist/clock.js
/**
* The default clock: `Date.now()`, read at most once per millisecond. Reading the system clock
* costs about as much as a whole cache hit, so within one millisecond every caller shares one
* reading (lru-cache's `ttlResolution` makes the same trade). Freshness is judged in seconds, so
* a reading up to a millisecond old (longer only while the thread is busy, or while a browser
* throttles the timers of a hidden tab) changes nothing that matters. The Cloudflare target
* uses Date.now() itself: Workers may drop a timer once the request that set it has ended.
*/
var cachedMs;
function forget() {
	cachedMs = void 0;
}
function coarseNow() {
	if (cachedMs === void 0) {
		cachedMs = Date.now();
		setTimeout(forget, 1).unref?.();
	}
	return cachedMs;
}
/**
* A least-recently-used store on one `Map`, whose insertion order is the recency order: a read
* moves the key to the end, an insert past the bound evicts the first key. Synchronous, so a hit
* costs no promise of its own. A tag index lets `deleteTag` remove exactly the tagged keys.
*/
var MemoryStore = class {
	maxEntries;
	#entries = /* @__PURE__ */ new Map();
	#keysByTag = /* @__PURE__ */ new Map();
	/** The key at the end of the recency order; reading it again needs no reordering. */
	#newestKey;
	constructor(options = {}) {
		const maxEntries = options.maxEntries ?? 1e3;
		if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TypeError(`maxEntries must be a whole number of at least 1, got ${String(maxEntries)}`);
		this.maxEntries = maxEntries;
	}
	get size() {
		return this.#entries.size;
	}
	get(key) {
		const entry = this.#entries.get(key);
		if (entry !== void 0 && key !== this.#newestKey) {
			this.#entries.delete(key);
			this.#entries.set(key, entry);
			this.#newestKey = key;
		}
		return entry;
	}
	set(key, entry) {
		this.delete(key);
		this.#entries.set(key, entry);
		this.#newestKey = key;
		for (const tag of entry.tags ?? []) {
			let keys = this.#keysByTag.get(tag);
			if (keys === void 0) this.#keysByTag.set(tag, keys = /* @__PURE__ */ new Set());
			keys.add(key);
		}
		if (this.#entries.size > this.maxEntries) {
			const oldest = this.#entries.keys().next().value;
			this.delete(oldest);
		}
	}
	delete(key) {
		const entry = this.#entries.get(key);
		if (entry === void 0) return;
		this.#entries.delete(key);
		if (key === this.#newestKey) this.#newestKey = void 0;
		for (const tag of entry.tags ?? []) {
			const keys = this.#keysByTag.get(tag);
			keys?.delete(key);
			if (keys?.size === 0) this.#keysByTag.delete(tag);
		}
	}
	deleteTag(tag) {
		for (const key of [...this.#keysByTag.get(tag) ?? []]) this.delete(key);
	}
	clear() {
		this.#entries.clear();
		this.#keysByTag.clear();
		this.#newestKey = void 0;
	}
	/** Keys from least to most recently used; for tests and diagnostics. */
	keys() {
		return this.#entries.keys();
	}
};
// ../../packages/runtime/dist/validate.js
/** Says what a bad argument was, without dumping whole objects into the message. */
function describe(value) {
	if (typeof value === "string") return value === "" ? "an empty string" : `the string ${JSON.stringify(value)}`;
	if (typeof value === "number") return `the number ${value}`;
	if (value === null) return "null";
	if (Array.isArray(value)) return "an array";
	return typeof value === "object" ? "an object" : String(value);
}
function isNonEmptyString(value) {
	return typeof value === "string" && value !== "";
}
function checkKey(caller, argument, key) {
	if (isNonEmptyString(key)) return void 0;
	return /* @__PURE__ */ new TypeError(`${caller}: ${argument} must be a non-empty string, got ${describe(key)}`);
}
/** Returns the TypeError for the first bad argument of a `withRevalidate` call, if any. */
function checkRevalidateCall(key, ttlSeconds, fetcher, options) {
	const caller = "withRevalidate";
	const badKey = checkKey(caller, "key", key);
	if (badKey) return badKey;
	if (typeof ttlSeconds !== "number" || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) return /* @__PURE__ */ new TypeError(`${caller}: ttlSeconds must be a finite number greater than 0, got ${describe(ttlSeconds)}`);
	if (typeof fetcher !== "function") return /* @__PURE__ */ new TypeError(`${caller}: fetcher must be a function, got ${describe(fetcher)}`);
	if (options === void 0) return void 0;
	if (typeof options !== "object" || options === null) return /* @__PURE__ */ new TypeError(`${caller}: options must be an object, got ${describe(options)}`);
	const { tags, staleSeconds, version } = options;
	if (tags !== void 0 && (!Array.isArray(tags) || !tags.every(isNonEmptyString))) return /* @__PURE__ */ new TypeError(`${caller}: options.tags must be an array of non-empty strings, got ${describe(tags)}`);
	if (staleSeconds !== void 0) {
		const bad = checkSeconds(caller, "options.staleSeconds", staleSeconds);
		if (bad) return bad;
	}
	if (version !== void 0 && typeof version !== "string") return /* @__PURE__ */ new TypeError(`${caller}: options.version must be a string, got ${describe(version)}`);
}
/** A duration that may be zero (no stale window, no retry delay) but not negative or infinite. */
function checkSeconds(caller, argument, seconds) {
	if (typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0) return void 0;
	return /* @__PURE__ */ new TypeError(`${caller}: ${argument} must be a finite number of seconds, 0 or more, got ${describe(seconds)}`);
}
/** How many keys' refresh-failure times are remembered; older ones are forgotten first. */
var MAX_REMEMBERED_FAILURES = 1e4;
/** Longest pause between two looks for another instance's value while it holds the lock. */
var MAX_LOCK_POLL_MS = 100;
function resolveOptions(options) {
	const staleSeconds = options.staleSeconds ?? 86400;
	const retryAfterSeconds = options.retryAfterSeconds ?? 10;
	const bad = checkSeconds("createCache", "staleSeconds", staleSeconds) ?? checkSeconds("createCache", "retryAfterSeconds", retryAfterSeconds);
	if (bad) throw bad;
	if (options.now !== void 0 && typeof options.now !== "function") throw new TypeError("createCache: now must be a function returning milliseconds");
	return {
		store: options.store ?? new MemoryStore({ maxEntries: options.maxEntries }),
		staleMs: staleSeconds * 1e3,
		retryAfterMs: retryAfterSeconds * 1e3,
		now: options.now ?? coarseNow,
		onEvent: options.onEvent,
		waitUntil: options.waitUntil
	};
}
function isPromise(value) {
	return typeof value?.then === "function";
}
/**
* The coordinator: owns every stale-while-revalidate rule over any store.
*
*   age < ttl                   -> cached value (hit)
*   ttl <= age < ttl + stale    -> cached value at once, one background refresh per key (stale)
*   no entry, other version,
*   or age >= ttl + stale       -> one fetch per key, shared by all waiting callers (miss)
*/
var Coordinator = class {
	#store;
	#staleMs;
	#retryAfterMs;
	#now;
	#onEvent;
	#waitUntil;
	#flights = /* @__PURE__ */ new Map();
	/** Store reads on their way, by key (stores that answer asynchronously). */
	#reads = /* @__PURE__ */ new Map();
	/** When a key whose refresh failed may be refreshed again. */
	#retryAt = /* @__PURE__ */ new Map();
	constructor(options) {
		const resolved = resolveOptions(options);
		this.#store = resolved.store;
		this.#staleMs = resolved.staleMs;
		this.#retryAfterMs = resolved.retryAfterMs;
		this.#now = resolved.now;
		this.#onEvent = resolved.onEvent;
		this.#waitUntil = resolved.waitUntil;
		this.#store.subscribe?.((invalidation) => this.#fence(invalidation, true));
	}
	withRevalidate(key, ttlSeconds, fetcher, options) {
		const bad = typeof key === "string" && key !== "" && typeof ttlSeconds === "number" && ttlSeconds > 0 && ttlSeconds !== Infinity && typeof fetcher === "function" && options === void 0 ? void 0 : checkRevalidateCall(key, ttlSeconds, fetcher, options);
		if (bad) return Promise.reject(bad);
		const pending = this.#reads.size === 0 ? void 0 : this.#reads.get(key);
		if (pending !== void 0) return pending.then((entry) => this.#serve(key, entry, ttlSeconds, fetcher, options));
		const read = this.#read(key);
		if (isPromise(read)) return this.#shareRead(key, read).then((entry) => this.#serve(key, entry, ttlSeconds, fetcher, options));
		return this.#serve(key, read, ttlSeconds, fetcher, options);
	}
	/** The store's entry for `key`; a store that fails (by throwing or rejecting) is reported and read as a miss. */
	#read(key) {
		let read;
		try {
			read = this.#store.get(key);
		} catch (error) {
			this.#emitStoreError(key, error);
			return;
		}
		if (!isPromise(read)) return read;
		return read.catch((error) => {
			this.#emitStoreError(key, error);
		});
	}
	/**
	* Callers that arrive while a store read of their key is on its way wait for that same read, so
	* they all reach #serve together and share one fetch even when the fetch fails at once.
	*/
	#shareRead(key, read) {
		this.#reads.set(key, read);
		read.then(() => {
			if (this.#reads.get(key) === read) this.#reads.delete(key);
		});
		return read;
	}
	async invalidate(key) {
		const bad = checkKey("invalidate", "key", key);
		if (bad) throw bad;
		this.#fence({
			kind: "key",
			key
		}, false);
		await this.#store.delete(key);
	}
	async invalidateTag(tag) {
		const bad = checkKey("invalidateTag", "tag", tag);
		if (bad) throw bad;
		this.#fence({
			kind: "tag",
			tag
		}, false);
		await this.#store.deleteTag(tag);
	}
	async invalidateAll() {
		this.#fence({ kind: "all" }, false);
		await this.#store.clear();
	}
	#serve(key, entry, ttlSeconds, fetcher, options) {
		const ttlMs = ttlSeconds * 1e3;
		if (entry !== void 0 && entry.version === options?.version) {
			const age = this.#now() - entry.storedAt;
			if (age < ttlMs) {
				if (this.#onEvent) this.#emit({
					type: "hit",
					key,
					age
				});
				return Promise.resolve(entry.value);
			}
			const staleMs = this.#staleMsFor(options);
			if (age < ttlMs + staleMs) {
				if (this.#onEvent) this.#emit({
					type: "stale",
					key,
					age
				});
				this.#refreshInBackground(key, fetcher, ttlMs, staleMs, options);
				return Promise.resolve(entry.value);
			}
		}
		const running = this.#flights.get(key);
		if (running !== void 0) {
			running.awaited = true;
			return running.promise;
		}
		this.#emit({
			type: "miss",
			key
		});
		return this.#startFlight(key, fetcher, ttlMs, this.#staleMsFor(options), options, "miss").promise;
	}
	#staleMsFor(options) {
		return options?.staleSeconds === void 0 ? this.#staleMs : options.staleSeconds * 1e3;
	}
	#refreshInBackground(key, fetcher, ttlMs, staleMs, options) {
		if (this.#flights.has(key)) return;
		const retryAt = this.#retryAt.get(key);
		if (retryAt !== void 0 && this.#now() < retryAt) return;
		const settled = this.#startFlight(key, fetcher, ttlMs, staleMs, options, "refresh").promise.catch(() => {});
		try {
			this.#waitUntil?.(settled);
		} catch (error) {
			this.#emitStoreError(key, error);
		}
	}
	#startFlight(key, fetcher, ttlMs, staleMs, options, phase) {
		const flight = {
			tags: options?.tags ?? [],
			promise: Promise.resolve(),
			fenced: false,
			awaited: phase === "miss"
		};
		const leave = () => {
			if (this.#flights.get(key) === flight) this.#flights.delete(key);
		};
		const run = async () => {
			let holdsLock = false;
			if (this.#store.acquireLock !== void 0 && phase === "refresh") {
				holdsLock = await this.#winLock(key);
				if (!holdsLock && !flight.awaited) {
					leave();
					return;
				}
			} else if (this.#store.acquireLock !== void 0) {
				const other = await this.#lockOrOtherInstancesValue(key, ttlMs + staleMs, options);
				if (other.entry !== void 0) {
					leave();
					return other.entry.value;
				}
				holdsLock = other.holdsLock;
			}
			if (phase === "refresh") this.#emit({
				type: "refresh",
				key
			});
			try {
				const value = await fetcher();
				if (!flight.fenced) await this.#write(key, value, ttlMs, staleMs, options);
				return value;
			} catch (error) {
				if (phase === "refresh" && !flight.fenced) this.#rememberFailure(key);
				this.#emit({
					type: "error",
					key,
					phase,
					error
				});
				await null;
				throw error;
			} finally {
				leave();
				if (holdsLock) this.#releaseLock(key);
			}
		};
		this.#flights.set(key, flight);
		flight.promise = run();
		return flight;
	}
	async #write(key, value, ttlMs, staleMs, options) {
		const entry = {
			value,
			storedAt: this.#now(),
			ttlMs,
			staleMs
		};
		if (options?.tags?.length) entry.tags = options.tags;
		if (options?.version !== void 0) entry.version = options.version;
		this.#retryAt.delete(key);
		try {
			await this.#store.set(key, entry);
		} catch (error) {
			this.#emitStoreError(key, error);
		}
	}
	/**
	* A miss on a store shared by several instances: take the key's lock and fetch, or, while
	* another instance holds it, wait for the value it writes instead of calling the fetcher too.
	* The lock expires by itself, so a holder that dies or fails leaves the fetch to the next one.
	*/
	async #lockOrOtherInstancesValue(key, servableMs, options) {
		const servable = (entry) => entry !== void 0 && entry.version === options?.version && this.#now() - entry.storedAt < servableMs;
		for (let delayMs = 5;; delayMs = Math.min(delayMs * 2, MAX_LOCK_POLL_MS)) {
			if (await this.#winLock(key)) {
				const entry = await this.#read(key);
				if (!servable(entry)) return { holdsLock: true };
				this.#releaseLock(key);
				return {
					entry,
					holdsLock: false
				};
			}
			await new Promise((resolve) => setTimeout(resolve, delayMs));
			const entry = await this.#read(key);
			if (servable(entry)) return {
				entry,
				holdsLock: false
			};
		}
	}
	async #winLock(key) {
		if (this.#store.acquireLock === void 0) return true;
		try {
			return await this.#store.acquireLock(key);
		} catch (error) {
			this.#emitStoreError(key, error);
			return true;
		}
	}
	#releaseLock(key) {
		this.#store.releaseLock?.(key).catch((error) => this.#emitStoreError(key, error));
	}
	#rememberFailure(key) {
		this.#retryAt.delete(key);
		this.#retryAt.set(key, this.#now() + this.#retryAfterMs);
		if (this.#retryAt.size > MAX_REMEMBERED_FAILURES) this.#retryAt.delete(this.#retryAt.keys().next().value);
	}
	/** Stops in-flight fetches that an invalidation overtook from writing, and lets the next read fetch anew. */
	#fence(invalidation, remote) {
		if (invalidation.kind === "key") this.#reads.delete(invalidation.key);
		else this.#reads.clear();
		for (const [key, flight] of this.#flights) {
			if (!(invalidation.kind === "all" || (invalidation.kind === "key" ? key === invalidation.key : flight.tags.includes(invalidation.tag)))) continue;
			flight.fenced = true;
			this.#flights.delete(key);
		}
		if (invalidation.kind === "all") this.#retryAt.clear();
		if (invalidation.kind === "key") this.#retryAt.delete(invalidation.key);
		if (this.#onEvent) this.#emit(invalidateEvent(invalidation, remote));
	}
	#emitStoreError(key, error) {
		this.#emit({
			type: "error",
			key,
			phase: "store",
			error
		});
	}
	#emit(event) {
		if (this.#onEvent === void 0) return;
		try {
			this.#onEvent(event);
		} catch {}
	}
};
function invalidateEvent(invalidation, remote) {
	const event = { type: "invalidate" };
	if (invalidation.kind === "key") event.key = invalidation.key;
	if (invalidation.kind === "tag") event.tag = invalidation.tag;
	if (invalidation.kind === "all") event.all = true;
	if (remote) event.remote = true;
	return event;
}
/** An isolated cache with its own store and settings. */
function createCache(options = {}) {
	return new Coordinator(options);
}
// ../../packages/runtime/dist/default-cache.js
/**
* The process-wide cache behind the top-level functions. It is kept on `globalThis` under a
* registered symbol so that two copies of this module (a bundled page and an external API
* route, say) still share one cache: an `invalidate` in one must reach the other's pages.
*/
var SLOT = Symbol.for("@revalidate/runtime:default-cache");
function slot() {
	const global = globalThis;
	return global[SLOT] ??= {};
}
function defaultCache() {
	const current = slot();
	return current.cache ??= createCache(current.platformDefaults?.());
}
/** For target entries: the options every default cache of this platform starts from. */
function setPlatformDefaults(defaults) {
	slot().platformDefaults = defaults;
}
/**
* Returns `fetcher()`'s value, cached under `key` for `ttlSeconds`, then served stale while one
* background refresh runs.
* @example const posts = await withRevalidate('posts:all', 60, () => Post.all())
*/
function withRevalidate(key, ttlSeconds, fetcher, options) {
	return defaultCache().withRevalidate(key, ttlSeconds, fetcher, options);
}
/** Drops `key`; a fetch of it already running will not write, and the next read fetches. */
function invalidate(key) {
	return defaultCache().invalidate(key);
}
/** Entries larger than this are not written, and not read if someone else wrote them. */
var DEFAULT_MAX_ENTRY_BYTES = 8388608;
function tagged(tag, value) {
	return value === void 0 ? { $: tag } : {
		$: tag,
		v: value
	};
}
function encode(value, path, seen) {
	switch (typeof value) {
		case "string":
		case "boolean": return value;
		case "number": return Number.isFinite(value) && !Object.is(value, -0) ? value : tagged("number", String(Object.is(value, -0) ? "-0" : value));
		case "bigint": return tagged("bigint", value.toString());
		case "undefined": return tagged("undefined");
		case "function":
		case "symbol": throw new TypeError(`A ${typeof value} cannot be stored in a shared cache (at ${path})`);
	}
	if (value === null) return null;
	const object = value;
	if (seen.has(object)) throw new TypeError(`A circular reference cannot be stored in a shared cache (at ${path})`);
	if (typeof Response !== "undefined" && object instanceof Response) throw new TypeError(`A Response cannot be stored in a shared cache (at ${path}): cache the data, and build the Response from it`);
	seen.add(object);
	try {
		if (object instanceof Date) return tagged("date", Number.isNaN(object.getTime()) ? null : object.getTime());
		if (object instanceof Map) return tagged("map", [...object].map(([k, v], i) => [encode(k, `${path}.keys[${i}]`, seen), encode(v, `${path}.get(${String(k)})`, seen)]));
		if (object instanceof Set) return tagged("set", [...object].map((item, i) => encode(item, `${path}[${i}]`, seen)));
		if (Array.isArray(object)) return Array.from(object, (item, i) => encode(item, `${path}[${i}]`, seen));
		const toJSON = object.toJSON;
		if (typeof toJSON === "function") return encode(toJSON.call(object), path, seen);
		const encoded = {};
		for (const [key, item] of Object.entries(object)) Object.defineProperty(encoded, key, {
			value: encode(item, `${path}.${key}`, seen),
			enumerable: true,
			writable: true,
			configurable: true
		});
		return Object.hasOwn(object, "$") ? tagged("object", encoded) : encoded;
	} finally {
		seen.delete(object);
	}
}
var Unreadable = class extends Error {};
function decodeObject(encoded) {
	return Object.fromEntries(Object.entries(encoded).map(([key, item]) => [key, decode(item)]));
}
function decode(encoded) {
	if (encoded === null || typeof encoded !== "object") return encoded;
	if (Array.isArray(encoded)) return encoded.map(decode);
	const record = encoded;
	if (!Object.hasOwn(record, "$")) return decodeObject(record);
	const value = record.v;
	switch (record.$) {
		case "undefined": return;
		case "number":
			if (value === "NaN" || value === "Infinity" || value === "-Infinity" || value === "-0") return Number(value);
			break;
		case "bigint":
			if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
			break;
		case "date":
			if (value === null || typeof value === "number") return new Date(value ?? NaN);
			break;
		case "map":
			if (Array.isArray(value) && value.every((pair) => Array.isArray(pair) && pair.length === 2)) return new Map(value.map(([k, v]) => [decode(k), decode(v)]));
			break;
		case "set":
			if (Array.isArray(value)) return new Set(value.map(decode));
			break;
		case "object": if (value !== null && typeof value === "object" && !Array.isArray(value)) return decodeObject(value);
	}
	throw new Unreadable();
}
/**
* How long a shared store keeps an entry: until it may no longer be served, ttl + staleSeconds
* (at least one second; the stores' own expiry works in whole seconds or milliseconds).
*/
function storedLifetimeSeconds(entry) {
	return Math.max(1, Math.ceil((entry.ttlMs + entry.staleMs) / 1e3));
}
/** The envelope of `entry` as text; throws a TypeError for a value a shared cache cannot keep. */
function serializeEntry(entry, maxBytes = DEFAULT_MAX_ENTRY_BYTES) {
	const envelope = {
		f: 1,
		storedAt: entry.storedAt,
		ttlMs: entry.ttlMs,
		staleMs: entry.staleMs
	};
	if (entry.tags?.length) envelope.tags = [...entry.tags];
	if (entry.version !== void 0) envelope.version = entry.version;
	envelope.value = encode(entry.value, "value", /* @__PURE__ */ new Set());
	const text = JSON.stringify(envelope);
	if (text.length > maxBytes) throw new TypeError(`An entry of ${text.length} bytes is larger than the ${maxBytes} a shared cache keeps`);
	return text;
}
var isFiniteNumber = (value) => typeof value === "number" && Number.isFinite(value);
/** The entry in `text`, or undefined when it is unreadable: a miss, never a crash. */
function deserializeEntry(text, maxBytes = DEFAULT_MAX_ENTRY_BYTES) {
	if (typeof text !== "string" || text.length > maxBytes) return void 0;
	try {
		const envelope = JSON.parse(text);
		if (envelope === null || typeof envelope !== "object" || envelope.f !== 1) return void 0;
		const { storedAt, ttlMs, staleMs, tags, version } = envelope;
		if (!isFiniteNumber(storedAt) || !isFiniteNumber(ttlMs) || !isFiniteNumber(staleMs) || !Object.hasOwn(envelope, "value")) return void 0;
		if (tags !== void 0 && !(Array.isArray(tags) && tags.every((tag) => typeof tag === "string"))) return void 0;
		if (version !== void 0 && typeof version !== "string") return void 0;
		const entry = {
			value: decode(envelope.value),
			storedAt,
			ttlMs,
			staleMs
		};
		if (tags !== void 0) entry.tags = tags;
		if (version !== void 0) entry.version = version;
		return entry;
	} catch (error) {
		if (error instanceof SyntaxError || error instanceof Unreadable || error instanceof RangeError) return void 0;
		throw error;
	}
}
// ../../packages/runtime/dist/vercel-store.js
/**
* The Vercel target: pages are cached by Vercel's own ISR, not by this runtime, so invalidating
* a page key asks the platform to regenerate the page (on-demand ISR):
*
*   invalidate('page:/posts')  ->  HEAD https://<deployment>/posts
*                                  x-prerender-revalidate: <bypass token>
*
* Every other key lives in memory, as on Node, or, given `runtimeCache: getCache()` from
* @vercel/functions, in Vercel's Runtime Cache, shared by the function's instances in a region.
* That cache drops an entry at its TTL and knows nothing of staleness, so entries go in as our
* envelope with TTL = ttl + staleSeconds, and the coordinator judges freshness as everywhere.
* `invalidateTag` and `invalidateAll` reach those entries, not pages: the platform's page cache
* has no tags to aim at.
*/
var PAGE_PREFIX = "page:";
/** Carried by every Runtime Cache entry, so invalidateAll is one expireTag. */
var ALL_TAG = "revalidate:all";
function environment(name) {
	return typeof process === "undefined" ? void 0 : process.env[name] || void 0;
}
var VercelStore = class {
	#memory;
	#options;
	constructor(options = {}) {
		this.#options = options;
		this.#memory = new MemoryStore({ maxEntries: options.maxEntries });
	}
	get(key) {
		const shared = this.#options.runtimeCache;
		if (shared === void 0) return this.#memory.get(key);
		return shared.get(key).then((text) => deserializeEntry(text));
	}
	async set(key, entry) {
		const shared = this.#options.runtimeCache;
		if (shared === void 0) return this.#memory.set(key, entry);
		await shared.set(key, serializeEntry(entry), {
			ttl: storedLifetimeSeconds(entry),
			tags: [...entry.tags ?? [], ALL_TAG]
		});
	}
	async delete(key) {
		this.#memory.delete(key);
		await this.#options.runtimeCache?.delete(key);
		if (key.startsWith(PAGE_PREFIX)) await this.#revalidatePage(key.slice(5));
	}
	async deleteTag(tag) {
		this.#memory.deleteTag(tag);
		await this.#options.runtimeCache?.expireTag(tag);
	}
	async clear() {
		this.#memory.clear();
		await this.#options.runtimeCache?.expireTag(ALL_TAG);
	}
	/** Sends the documented on-demand revalidation request for `path`; rejects if it fails. */
	async #revalidatePage(path) {
		const origin = this.#options.origin ?? environment("REVALIDATE_ORIGIN") ?? deploymentOrigin();
		const token = this.#options.bypassToken ?? environment("REVALIDATE_BYPASS_TOKEN");
		if (origin === void 0) throw new TypeError(`invalidate('page:${path}'): no deployment origin; set REVALIDATE_ORIGIN (Vercel sets VERCEL_URL)`);
		if (token === void 0) throw new TypeError(`invalidate('page:${path}'): no bypass token; set REVALIDATE_BYPASS_TOKEN to the token the build wrote`);
		const response = await (this.#options.fetch ?? fetch)(new URL(path, origin), {
			method: "HEAD",
			headers: { "x-prerender-revalidate": token }
		});
		if (!response.ok) throw new Error(`invalidate('page:${path}'): Vercel answered ${response.status} to the revalidation request`);
	}
};
function deploymentOrigin() {
	const host = environment("VERCEL_PROJECT_PRODUCTION_URL") ?? environment("VERCEL_URL");
	return host === void 0 ? void 0 : `https://${host}`;
}
function vercelStore(options) {
	return new VercelStore(options);
}
// ../../packages/runtime/dist/page-key.js
/**
* The cache key of a compiled page: `page:<pathname>`, the same convention as hand-written keys,
* so `invalidate('page:/posts/hello')` reaches the page.
*
*   pageKey('/posts/[slug]', { request: new Request('https://x.dev/posts/hi?ref=1') }) -> 'page:/posts/hi'
*   pageKey('/posts/:slug', { params: { slug: 'hi' } })                               -> 'page:/posts/hi'
*   pageKey('/search', { url: new URL('https://x.dev/search?q=a&p=2') }, ['q'])       -> 'page:/search?q=a'
*
* The query string is left out unless `queryNames` lists what may vary the data: otherwise every
* query would get its own entry, or worse, the first one's data.
*/
function pageKey(route, context, queryNames) {
	if (typeof route !== "string" || !route.startsWith("/")) throw new TypeError(`pageKey: route must be a path starting with "/", got ${JSON.stringify(route)}`);
	const where = requestUrl(context);
	if (typeof where === "string" && !queryNames?.length) {
		const simple = simplePathname(where);
		if (simple !== void 0) return `page:${withoutTrailingSlash(simple)}`;
	}
	const url = where === void 0 ? void 0 : parsed(where);
	const pathname = url ? url.pathname : fillRoute(route, paramsOf(route, context));
	const query = queryNames?.length ? pickQuery(queryNames, url?.searchParams ?? searchParamsOf(context)) : "";
	return `page:${withoutTrailingSlash(pathname)}${query}`;
}
var SIMPLE_URL = /^https?:\/\/[^/?#\\]*(\/[\w\-~/]*)?(?:[?#]|$)/;
/** The pathname of a request URL, read without a URL parse when that is safe. */
function simplePathname(url) {
	const match = SIMPLE_URL.exec(url);
	return match ? match[1] ?? "/" : void 0;
}
function field(value, name) {
	return typeof value === "object" && value !== null ? value[name] : void 0;
}
/** Where frameworks put the URL a loader or page was called for, in the order they are read. */
var URL_FIELDS = [
	(context) => field(field(context, "request"), "url"),
	(context) => field(context, "url"),
	(context) => field(field(context, "req"), "url"),
	(context) => field(context, "resolvedUrl")
];
/** The first URL, or URL string, the context carries. */
function requestUrl(context) {
	for (const read of URL_FIELDS) {
		const candidate = read(context);
		if (candidate instanceof URL || typeof candidate === "string") return candidate;
	}
}
function parsed(url) {
	if (url instanceof URL) return url;
	try {
		return new URL(url, "http://localhost");
	} catch {
		throw new TypeError(`pageKey: cannot read a URL from ${JSON.stringify(url)}`);
	}
}
function paramsOf(route, context) {
	const params = field(context, "params");
	if (typeof params?.then === "function") throw new TypeError(`pageKey: params of route "${route}" is a Promise; await it and pass { params } instead`);
	return params ?? {};
}
function searchParamsOf(context) {
	const search = field(context, "searchParams") ?? field(context, "query");
	if (search instanceof URLSearchParams) return search;
	const params = new URLSearchParams();
	if (typeof search !== "object" || search === null) return params;
	for (const [name, value] of Object.entries(search)) for (const item of Array.isArray(value) ? value : [value]) if (item !== void 0) params.append(name, String(item));
	return params;
}
var PARAM = /\[\[\.\.\.([\w$]+)\]\]|\[\.\.\.([\w$]+)\]|\[([\w$]+)\]|:([\w$]+)([?*+]?)/g;
function fillRoute(route, params) {
	return route.split("/").map((segment) => segment.replace(PARAM, (_match, optionalRest, rest, name, pattern, modifier) => {
		const param = optionalRest ?? rest ?? name ?? pattern;
		const optional = optionalRest !== void 0 || modifier === "?" || modifier === "*";
		const many = optionalRest !== void 0 || rest !== void 0 || modifier === "*" || modifier === "+";
		const value = params[param];
		const parts = value === void 0 || value === "" ? [] : Array.isArray(value) ? value : [value];
		if (parts.length === 0 && !optional) throw new TypeError(`pageKey: route "${route}" needs params.${param}, but the context has none`);
		if (parts.length > 1 && !many) throw new TypeError(`pageKey: params.${param} of route "${route}" must be one value, got ${parts.length}`);
		return parts.map((part) => encodeURIComponent(String(part))).join("/");
	})).filter((segment, index) => index === 0 || segment !== "").join("/") || "/";
}
function pickQuery(names, search) {
	const picked = new URLSearchParams();
	for (const name of [...names].sort()) for (const value of search.getAll(name)) picked.append(name, value);
	const query = picked.toString();
	return query === "" ? "" : `?${query}`;
}
function withoutTrailingSlash(pathname) {
	return pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
}
// ../../packages/runtime/dist/targets/node.js
if (typeof process !== "undefined" && process.env.VERCEL) setPlatformDefaults(() => ({ store: vercelStore() }));
// app/posts.server.ts
var posts = /* @__PURE__ */ new Map([["hello", {
	slug: "hello",
	title: "Hello"
}], ["world", {
	slug: "world",
	title: "World"
}]]);
var calls = {};
async function counted(loader, read) {
	calls[loader] = (calls[loader] ?? 0) + 1;
	await new Promise((resolve) => setTimeout(resolve, 30));
	return read();
}
var listPosts = () => counted("posts", () => [...posts.values()].map(({ slug, title }) => ({
	slug,
	title
})));
var findPost = (slug) => counted("post", () => posts.get(slug) ?? null);
/** The same post, counted apart: the route with a 1-second ttl. */
var findFastPost = (slug) => counted("fast", () => posts.get(slug) ?? null);
var loaderCalls = () => ({ ...calls });
function renamePost(slug, title) {
	const post = posts.get(slug);
	if (post) posts.set(slug, {
		...post,
		title
	});
}
// app/routes/posts.tsx
var posts_exports = /* @__PURE__ */ __exportAll({
	default: () => posts_default,
	loader: () => loader$3
});
async function loader$3() {
	return withRevalidate(pageKey("/posts", void 0), 60, async () => {
		return { posts: await listPosts() };
	}, { version: "c241def1a1a7" });
}
var posts_default = UNSAFE_withComponentProps(function Posts() {
	const { posts } = useLoaderData();
	return /* @__PURE__ */ jsxs("main", { children: [/* @__PURE__ */ jsx("nav", { children: posts.map((post) => /* @__PURE__ */ jsx(Link, {
		to: `/posts/${post.slug}`,
		className: "post-item",
		children: post.title
	}, post.slug)) }), /* @__PURE__ */ jsx(Outlet, {})] });
});
// app/routes/post.tsx
var post_exports = /* @__PURE__ */ __exportAll({
	default: () => post_default,
	loader: () => loader$2
});
async function loader$2(__rv_ctx) {
	let { params } = __rv_ctx;
	return withRevalidate(pageKey("/post", __rv_ctx), 60, async () => {
		const post = await findPost(params.slug ?? "");
		if (post === null) throw new Response("Not found", { status: 404 });
		return { post };
	}, { version: "5c9d1b834195" });
}
var post_default = UNSAFE_withComponentProps(function Post() {
	const { post } = useLoaderData();
	return /* @__PURE__ */ jsxs("h2", {
		id: "post-title",
		children: ["Post ", post.title]
	});
});
// app/routes/fast.tsx
var fast_exports = /* @__PURE__ */ __exportAll({
	default: () => fast_default,
	loader: () => loader$1
});
async function loader$1(__rv_ctx) {
	let { params } = __rv_ctx;
	return withRevalidate(pageKey("/fast", __rv_ctx), 1, async () => {
		return { post: await findFastPost(params.slug ?? "") };
	}, { version: "3b1e79b5a130" });
}
var fast_default = UNSAFE_withComponentProps(function FastPost() {
	const { post } = useLoaderData();
	return /* @__PURE__ */ jsxs("h2", {
		id: "post-title",
		children: ["Post ", post?.title]
	});
});
// app/routes/test-api.ts
var test_api_exports = /* @__PURE__ */ __exportAll({
	action: () => action,
	loader: () => loader
});
function loader() {
	return Response.json(loaderCalls());
}
async function action({ request }) {
	const url = new URL(request.url);
	if (url.pathname.endsWith("/rename")) renamePost(url.searchParams.get("slug") ?? "", url.searchParams.get("title") ?? "");
	if (url.pathname.endsWith("/invalidate")) await invalidate(url.searchParams.get("key") ?? "");
	return Response.json({ ok: true });
}
// \0virtual:react-router/server-manifest
var server_manifest_default = {
	"entry": {
		"module": "/assets/entry.client-9F2tfcYh.js",
		"imports": ["/assets/jsx-runtime-DTeQD1l2.js", "/assets/errorBoundaries-CjdwgOU1.js"],
		"css": []
	},
	"routes": {
		"root": {
			"id": "root",
			"parentId": void 0,
			"path": "",
			"index": void 0,
			"caseSensitive": void 0,
			"hasAction": false,
			"hasLoader": false,
			"hasClientAction": false,
			"hasClientLoader": false,
			"hasClientMiddleware": false,
			"hasDefaultExport": true,
			"hasErrorBoundary": false,
			"module": "/assets/root-B6RqrCDr.js",
			"imports": [
				"/assets/jsx-runtime-DTeQD1l2.js",
				"/assets/errorBoundaries-CjdwgOU1.js",
				"/assets/lib-sMEz2Nm-.js"
			],
			"css": [],
			"clientActionModule": void 0,
			"clientLoaderModule": void 0,
			"clientMiddlewareModule": void 0,
			"hydrateFallbackModule": void 0
		},
		"routes/home": {
			"id": "routes/home",
			"parentId": "root",
			"path": void 0,
			"index": true,
			"caseSensitive": void 0,
			"hasAction": false,
			"hasLoader": false,
			"hasClientAction": false,
			"hasClientLoader": false,
			"hasClientMiddleware": false,
			"hasDefaultExport": true,
			"hasErrorBoundary": false,
			"module": "/assets/home-B2kpoyXU.js",
			"imports": [
				"/assets/jsx-runtime-DTeQD1l2.js",
				"/assets/lib-sMEz2Nm-.js",
				"/assets/errorBoundaries-CjdwgOU1.js"
			],
			"css": [],
			"clientActionModule": void 0,
			"clientLoaderModule": void 0,
			"clientMiddlewareModule": void 0,
			"hydrateFallbackModule": void 0
		},
		"routes/posts": {
			"id": "routes/posts",
			"parentId": "root",
			"path": "posts",
			"index": void 0,
			"caseSensitive": void 0,
			"hasAction": false,
			"hasLoader": true,
			"hasClientAction": false,
			"hasClientLoader": false,
			"hasClientMiddleware": false,
			"hasDefaultExport": true,
			"hasErrorBoundary": false,
			"module": "/assets/posts-DIYQeEGo.js",
			"imports": [
				"/assets/jsx-runtime-DTeQD1l2.js",
				"/assets/lib-sMEz2Nm-.js",
				"/assets/errorBoundaries-CjdwgOU1.js"
			],
			"css": [],
			"clientActionModule": void 0,
			"clientLoaderModule": void 0,
			"clientMiddlewareModule": void 0,
			"hydrateFallbackModule": void 0
		},
		"routes/post": {
			"id": "routes/post",
			"parentId": "routes/posts",
			"path": ":slug",
			"index": void 0,
			"caseSensitive": void 0,
			"hasAction": false,
			"hasLoader": true,
			"hasClientAction": false,
			"hasClientLoader": false,
			"hasClientMiddleware": false,
			"hasDefaultExport": true,
			"hasErrorBoundary": false,
			"module": "/assets/post-Cjs1GJ_P.js",
			"imports": ["/assets/jsx-runtime-DTeQD1l2.js"],
			"css": [],
			"clientActionModule": void 0,
			"clientLoaderModule": void 0,
			"clientMiddlewareModule": void 0,
			"hydrateFallbackModule": void 0
		},
		"routes/fast": {
			"id": "routes/fast",
			"parentId": "root",
			"path": "fast/:slug",
			"index": void 0,
			"caseSensitive": void 0,
			"hasAction": false,
			"hasLoader": true,
			"hasClientAction": false,
			"hasClientLoader": false,
			"hasClientMiddleware": false,
			"hasDefaultExport": true,
			"hasErrorBoundary": false,
			"module": "/assets/fast-BsMEKq8g.js",
			"imports": ["/assets/jsx-runtime-DTeQD1l2.js"],
			"css": [],
			"clientActionModule": void 0,
			"clientLoaderModule": void 0,
			"clientMiddlewareModule": void 0,
			"hydrateFallbackModule": void 0
		},
		"routes/test-api": {
			"id": "routes/test-api",
			"parentId": "root",
			"path": "__test/*",
			"index": void 0,
			"caseSensitive": void 0,
			"hasAction": true,
			"hasLoader": true,
			"hasClientAction": false,
			"hasClientLoader": false,
			"hasClientMiddleware": false,
			"hasDefaultExport": false,
			"hasErrorBoundary": false,
			"module": "/assets/test-api-BvRk9kiK.js",
			"imports": [],
			"css": [],
			"clientActionModule": void 0,
			"clientLoaderModule": void 0,
			"clientMiddlewareModule": void 0,
			"hydrateFallbackModule": void 0
		}
	},
	"url": "/assets/manifest-7b168400.js",
	"version": "7b168400",
	"sri": void 0
};
// \0virtual:react-router/server-build
var assetsBuildDirectory = "build/client";
var basename = "/";
var future = {
	"unstable_enableNodeReadableStream": false,
	"unstable_optimizeDeps": false
};
var ssr = true;
var isSpaMode = false;
var prerender = [];
var routeDiscovery = {
	"mode": "lazy",
	"manifestPath": "/__manifest"
};
var publicPath = "/";
var entry = { module: entry_server_node_exports };
var routes = {
	"root": {
		id: "root",
		parentId: void 0,
		path: "",
		index: void 0,
		caseSensitive: void 0,
		module: root_exports
	},
	"routes/home": {
		id: "routes/home",
		parentId: "root",
		path: void 0,
		index: true,
		caseSensitive: void 0,
		module: home_exports
	},
	"routes/posts": {
		id: "routes/posts",
		parentId: "root",
		path: "posts",
		index: void 0,
		caseSensitive: void 0,
		module: posts_exports
	},
	"routes/post": {
		id: "routes/post",
		parentId: "routes/posts",
		path: ":slug",
		index: void 0,
		caseSensitive: void 0,
		module: post_exports
	},
	"routes/fast": {
		id: "routes/fast",
		parentId: "root",
		path: "fast/:slug",
		index: void 0,
		caseSensitive: void 0,
		module: fast_exports
	},
	"routes/test-api": {
		id: "routes/test-api",
		parentId: "root",
		path: "__test/*",
		index: void 0,
		caseSensitive: void 0,
		module: test_api_exports
	}
};
var allowedActionOrigins = false;
export { allowedActionOrigins, server_manifest_default as assets, assetsBuildDirectory, basename, entry, future, isSpaMode, prerender, publicPath, routeDiscovery, routes, ssr };
