// Minimal launcher: SCIMMY + scimmy-routers on express, with an in-memory
// store written here (SCIMMY leaves storage to the integrator).
//
// Usage (from a folder where `npm install scimmy scimmy-routers express` ran):
//   SCIMMY_DIR=/path/to/that/folder node scripts/run_scimmy.js [port]
// Env:
//   SCIMMY_DIR    folder holding node_modules/ (default: current directory)
//   SCIMMY_INDEX  1 (default) = answer `userName eq "x"` from a Map index,
//                 0 = hand every stored user to SCIMMY's Filter.match (a scan)
//   SCIMMY_TOKEN  if set, require "Authorization: Bearer <token>"
// Listens on 127.0.0.1 only. Base URL: http://127.0.0.1:<port>/scim/v2 (default port 18482)
"use strict";
const path = require("path");
const crypto = require("crypto");
const {createRequire} = require("module");

const dir = process.env.SCIMMY_DIR || process.cwd();
const req = createRequire(path.join(path.resolve(dir), "package.json"));
const express = req("express");
const SCIMMY = req("scimmy");
const SCIMMYRouters = req("scimmy-routers").default ?? req("scimmy-routers");

const port = Number(process.argv[2] || process.env.PORT || 18482);
const useIndex = (process.env.SCIMMY_INDEX ?? "1") !== "0";
const token = process.env.SCIMMY_TOKEN;

// ---- storage --------------------------------------------------------------
function makeStore(name, uniqueAttr) {
    const byId = new Map();          // id -> plain JSON object
    const byExact = new Map();       // exact unique value -> id (for eq lookups)
    const byFolded = new Map();      // lower-cased unique value -> id (for 409)
    let version = 0;

    const conflict = (value, id) => {
        if (typeof value !== "string") return false;
        const owner = byFolded.get(value.toLowerCase());
        return owner !== undefined && owner !== id;
    };
    const unindex = (obj) => {
        const v = obj?.[uniqueAttr];
        if (typeof v === "string") { byExact.delete(v); byFolded.delete(v.toLowerCase()); }
    };
    const index = (obj) => {
        const v = obj[uniqueAttr];
        if (typeof v === "string") { byExact.set(v, obj.id); byFolded.set(v.toLowerCase(), obj.id); }
    };

    return {
        ingress(resource, instance) {
            const data = JSON.parse(JSON.stringify(instance));
            const now = new Date().toISOString();
            const id = resource.id ?? crypto.randomUUID();
            const previous = resource.id ? byId.get(id) : undefined;
            if (resource.id && !previous)
                throw new SCIMMY.Types.Error(404, null, `Resource ${id} not found`);
            if (conflict(data[uniqueAttr], id))
                throw new SCIMMY.Types.Error(409, "uniqueness", `${uniqueAttr} already in use`);
            const stored = {
                ...data, id,
                meta: {
                    resourceType: name,
                    created: previous?.meta?.created ?? now,
                    lastModified: now,
                    version: `W/"${++version}"`,
                },
            };
            if (previous) unindex(previous);
            byId.set(id, stored);
            index(stored);
            return stored;
        },
        egress(resource) {
            if (resource.id) {
                const found = byId.get(resource.id);
                if (!found) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
                return found;
            }
            const filter = resource.filter;
            if (!filter) return [...byId.values()];
            // Fast path: a lone `<uniqueAttr> eq "string"` comparison.
            if (useIndex && filter.length === 1) {
                const expr = filter[0];
                const keys = Object.keys(expr);
                const cmp = expr[keys[0]];
                if (keys.length === 1 && keys[0].toLowerCase() === uniqueAttr.toLowerCase()
                    && Array.isArray(cmp) && cmp.length === 2 && String(cmp[0]).toLowerCase() === "eq"
                    && typeof cmp[1] === "string") {
                    const id = byExact.get(cmp[1]);
                    const candidates = id ? [byId.get(id)] : [];
                    return filter.match(candidates);   // keep SCIMMY's own match semantics
                }
            }
            return filter.match([...byId.values()]);
        },
        degress(resource) {
            const found = byId.get(resource.id);
            if (!found) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
            unindex(found);
            byId.delete(resource.id);
        },
        size: () => byId.size,
    };
}

const users = makeStore("User", "userName");
const groups = makeStore("Group", "displayName");

SCIMMY.Resources.declare(SCIMMY.Resources.User)
    .ingress((resource, instance) => users.ingress(resource, instance))
    .egress((resource) => users.egress(resource))
    .degress((resource) => users.degress(resource));
SCIMMY.Resources.declared("User").extend(SCIMMY.Schemas.EnterpriseUser, false);
SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .ingress((resource, instance) => groups.ingress(resource, instance))
    .egress((resource) => groups.egress(resource))
    .degress((resource) => groups.degress(resource));

// ---- HTTP -----------------------------------------------------------------
const app = express();
app.disable("x-powered-by");
app.use("/scim/v2", new SCIMMYRouters({
    type: "bearer",
    handler: (request) => {
        // The auth scheme is case-insensitive (RFC 7235 §2.1); the shared
        // launcher compares `Bearer ${token}` exactly, which made a launcher
        // artefact look like a SCIMMY deviation.
        const m = /^bearer +(.*)$/i.exec(request.header("Authorization") || "");
        if (token && (!m || m[1] !== token))
            throw new Error("Authorization failure");
        // The returned id is what /Me resolves to; none here.
        return undefined;
    },
    context: () => ({}),
}));

app.listen(port, "127.0.0.1", (err) => {
    if (err) { console.error(err.message); process.exit(1); }
    const ver = JSON.parse(require("fs").readFileSync(path.join(path.resolve(dir), "node_modules/scimmy/package.json"))).version;
    console.log(`SCIMMY ${ver} on http://127.0.0.1:${port}/scim/v2 (index=${useIndex})`);
});
