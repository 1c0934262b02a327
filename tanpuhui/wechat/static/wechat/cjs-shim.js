/* The weixin-js-sdk package is a CommonJS module (module.exports = …): give it a module to fill. */
window.module = window.module || { exports: {} };
