// The setup page that the captive portal opens (/setup), generated from the settings schema:
// one form for the WiFi (scan and pick a network; save → join, then show the new address),
// one for everything else (save → restart). Login, restart, factory reset and firmware
// update are on the full web interface at / (modules/web). The HTML is built once when the
// module loads; on the device the module is preloaded, so the text lives in flash, not in
// RAM. Values, status and the scan come from the JSON API (setup-api.ts) by fetch().

import { SCHEMA, type FieldSpec } from "../config/schema";

const GROUP_TITLES: Readonly<Record<FieldSpec["group"], string>> = Object.freeze({
  wifi: "WiFi",
  meter: "Meter",
  emulation: "Shelly emulation",
  admin: "Admin",
});

export function escapeHtml(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    out += c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : c === "'" ? "&#39;" : c;
  }
  return out;
}

function control(spec: FieldSpec): string {
  const name = ' name="' + escapeHtml(spec.key) + '"';
  switch (spec.type) {
    case "bool":
      return "<input type=checkbox" + name + ">";
    case "enum":
    case "int":
      if (spec.choices) {
        let options = "";
        for (const choice of spec.choices) options += "<option>" + escapeHtml(String(choice)) + "</option>";
        return "<select" + name + ">" + options + "</select>";
      }
      return "<input type=number" + name + (spec.min !== undefined ? " min=" + spec.min : "") + (spec.max !== undefined ? " max=" + spec.max : "") + ">";
    case "secret":
      return "<input type=password autocomplete=new-password placeholder=unchanged" + name + (spec.maxLength !== undefined ? " maxlength=" + spec.maxLength : "") + ">";
    case "ports":
      return "<input" + name + ' placeholder="e.g. 1010, 2220">';
    case "mac":
      return "<input" + name + ' maxlength=17 placeholder="the board\'s own">';
    case "string":
      return (
        "<input" + name + (spec.maxLength !== undefined ? " maxlength=" + spec.maxLength : "") +
        (spec.key === "wifi.ssid" ? " list=nets autocomplete=off" : "") + ">"
      );
  }
}

function fieldRow(spec: FieldSpec): string {
  let row = "<label>" + escapeHtml(spec.label) + control(spec);
  if (spec.key === "wifi.ssid") row += "<button type=button id=scan>Scan</button><datalist id=nets></datalist>";
  return row + "<small>" + escapeHtml(spec.help) + '</small><em data-err="' + escapeHtml(spec.key) + '"></em></label>';
}

function form(id: string, groups: readonly FieldSpec["group"][], button: string): string {
  let html = "<form id=" + id + ">";
  for (const group of groups) {
    html += "<fieldset><legend>" + GROUP_TITLES[group] + "</legend>";
    for (const spec of SCHEMA) if (spec.group === group) html += fieldRow(spec);
    html += "</fieldset>";
  }
  return html + "<button>" + button + "</button><output></output></form>";
}

// Field kinds for the script, so that it sends numbers, booleans and port lists as such.
function kinds(): string {
  let out = "{";
  for (const spec of SCHEMA) out += (out.length > 1 ? "," : "") + JSON.stringify(spec.key) + ":" + JSON.stringify(spec.type);
  return out + "}";
}

const STYLE =
  "body{font:16px system-ui,sans-serif;max-width:34em;margin:auto;padding:.5em}label{display:block;margin:.6em 0}" +
  "input,select{display:block;width:100%;box-sizing:border-box;padding:.4em;font:inherit}input[type=checkbox]{width:auto;display:inline}" +
  "small{display:block;color:#666}em{color:#b00;display:block}fieldset{border:1px solid #ccc;margin:.8em 0}" +
  "button{padding:.5em 1em;margin:.3em 0;font:inherit}#st{background:#eef;padding:.5em}output{display:block;margin:.5em 0}";

// Deliberately plain ES5-ish script: it runs on whatever browser the phone's captive portal
// window uses.
const SCRIPT = `
var K=${kinds()},$=function(s){return document.querySelector(s)},F1=$("#wifi"),F2=$("#device");
function j(u,o){return fetch(u,o).then(function(r){return r.json().then(function(b){b.httpStatus=r.status;return b})})}
function fill(v){[F1,F2].forEach(function(f){for(var i=0;i<f.elements.length;i++){var e=f.elements[i],k=e.name;if(!(k in v))continue;
if(e.type=="checkbox")e.checked=!!v[k];else if(K[k]=="ports")e.value=v[k].join(", ");else if(K[k]!="secret")e.value=v[k]}})}
function collect(f){var c={};for(var i=0;i<f.elements.length;i++){var e=f.elements[i],k=e.name;if(!k)continue;
if(K[k]=="bool")c[k]=e.checked;else if(K[k]=="int")c[k]=Number(e.value);else if(K[k]=="ports")c[k]=e.value.split(/[ ,;]+/).filter(String).map(Number);
else if(K[k]=="mac")c[k]=e.value.replace(/[:-]/g,"").toUpperCase();else if(K[k]=="secret"){if(e.value!=="")c[k]=e.value}else c[k]=e.value}return c}
function save(f,extra){var c=collect(f);for(var k in extra)c[k]=extra[k];var o=f.querySelector("output");o.textContent="Saving…";
[].forEach.call(f.querySelectorAll("em"),function(e){e.textContent=""});
return j("/api/setup/settings",{method:"POST",headers:{"Content-Type":"application/json"},body:JSON.stringify(c)}).then(function(r){
if(!r.ok){for(var k in r.errors){var e=f.querySelector('[data-err="'+k+'"]');if(e)e.textContent=r.errors[k]}o.textContent=r.message||"Not saved.";return}
o.textContent=r.effect=="restart"?"Saved. The device restarts now.":r.effect=="join"?"Saved. Joining the network…":"Saved."}).catch(function(){o.textContent="Not saved: no answer."})}
F1.onsubmit=function(ev){ev.preventDefault();var s=F1.elements["wifi.ssid"],p=F1.elements["wifi.password"];
save(F1,p.value===""&&s.value!==s.defaultValue&&nets[s.value]==="none"?{"wifi.password":""}:{})};
F2.onsubmit=function(ev){ev.preventDefault();save(F2,{})};
var nets={};$("#scan").onclick=function(){var b=this;b.disabled=true;b.textContent="Scanning…";
(function poll(){j("/api/setup/scan").then(function(r){if(r.scanning)return setTimeout(poll,1500);var d=$("#nets");d.innerHTML="";
(r.networks||[]).forEach(function(n){nets[n.ssid]=n.auth;var o=document.createElement("option");o.value=n.ssid;o.label=n.rssi+" dBm"+(n.auth=="none"?" open":"");d.appendChild(o)});
b.disabled=false;b.textContent="Scan ("+(r.networks||[]).length+")"}).catch(function(){b.disabled=false;b.textContent="Scan"})})()};
function status(){j("/api/setup/status").then(function(s){var t=s.station=="connected"?"Connected to "+s.ssid+": <a href='http://"+s.ip+"/'>http://"+s.ip+"/</a>"
+(s.apOn?" (this setup network closes in a minute; enter "+s.ip+" in your battery's app)":""):s.station=="connecting"?"Joining "+s.ssid+"…":
s.station=="waiting"?"Not connected to "+s.ssid+(s.failure=="rejected"?": wrong password?":s.failure=="timeout"?": network not found?":"")+" Retrying.":"No WiFi configured.";
$("#st").innerHTML=t+"<br>Device "+s.deviceId+" · meter: "+s.meter+" · firmware "+s.firmware}).catch(function(){$("#st").textContent="Device not reachable."});
setTimeout(status,3000)}
j("/api/setup/settings").then(function(r){if(r.values)fill(r.values);else $("#login").hidden=false});status();
`;

function renderSetupPage(): string {
  return (
    "<!DOCTYPE html><html><head><meta charset=utf-8><meta name=viewport content=\"width=device-width,initial-scale=1\">" +
    "<title>ir2shelly setup</title><style>" + STYLE + "</style></head><body><h1>ir2shelly setup</h1><p id=st>…</p>" +
    "<p id=login hidden>An admin password is set: <a href=\"/\">log in on the main page</a>, then come back.</p>" +
    form("wifi", ["wifi"], "Save and join") +
    form("device", ["meter", "emulation", "admin"], "Save and restart") +
    "<p><a href=\"/\">Live values, meter diagnostics, firmware update, restart and factory reset</a></p>" +
    "<script>" + SCRIPT + "</script></body></html>"
  );
}

/** The whole page, built once from the schema. */
export const SETUP_PAGE_HTML: string = renderSetupPage();
