// What a Node-RED function body finds besides node, context, flow, global and env: Node.js's
// Buffer, console and Node-RED's RED.util, written over the sandbox's standard objects. `host`
// holds the few helpers written in Java (text encodings, logging, ids). Run once per node, at
// deploy, in the node's own scope.
(function (global, host) {
  'use strict';

  // ---- Buffer: a Uint8Array with Buffer.prototype, as Node.js's -------------------------------
  function Buffer(value, encodingOrOffset, length) {
    return typeof value === 'number' ? Buffer.alloc(value) : Buffer.from(value, encodingOrOffset, length);
  }
  Buffer.prototype = Object.create(Uint8Array.prototype);
  Buffer.prototype.constructor = Buffer;

  function wrap(bytes) {
    Object.setPrototypeOf(bytes, Buffer.prototype);
    return bytes;
  }

  Buffer.from = function (value, encodingOrOffset, length) {
    if (typeof value === 'string') {
      return wrap(host.encode(value, encodingOrOffset === undefined ? 'utf8' : String(encodingOrOffset)));
    }
    if (value instanceof ArrayBuffer) {
      var offset = encodingOrOffset === undefined ? 0 : encodingOrOffset;
      return wrap(new Uint8Array(value, offset, length === undefined ? value.byteLength - offset : length));
    }
    if (value !== null && typeof value === 'object' && value.type === 'Buffer' && Array.isArray(value.data)) {
      value = value.data;
    }
    if (value !== null && value !== undefined && typeof value.length === 'number') {
      var bytes = new Uint8Array(value.length);
      for (var i = 0; i < value.length; i++) {
        bytes[i] = value[i] & 255;
      }
      return wrap(bytes);
    }
    throw new TypeError('Buffer.from: the first argument must be a string, an array, a Buffer or an ArrayBuffer');
  };
  Buffer.alloc = function (size, fill, encoding) {
    if (typeof size !== 'number' || size < 0 || size > 67108864) {
      throw new RangeError('Buffer.alloc: size must be a number from 0 to 67108864, got ' + size);
    }
    var buffer = wrap(new Uint8Array(size));
    if (fill !== undefined && fill !== 0) {
      buffer.fill(fill, 0, size, encoding);
    }
    return buffer;
  };
  Buffer.allocUnsafe = Buffer.alloc;
  Buffer.isBuffer = function (value) {
    return value instanceof Buffer;
  };
  Buffer.isEncoding = function (encoding) {
    return host.isEncoding(String(encoding));
  };
  Buffer.byteLength = function (value, encoding) {
    return typeof value === 'string' ? host.encode(value, encoding === undefined ? 'utf8' : String(encoding)).length : value.length;
  };
  Buffer.concat = function (list, total) {
    if (total === undefined) {
      total = 0;
      for (var i = 0; i < list.length; i++) {
        total += list[i].length;
      }
    }
    var bytes = new Uint8Array(total);
    var at = 0;
    for (var j = 0; j < list.length && at < total; j++) {
      for (var k = 0; k < list[j].length && at < total; k++) {
        bytes[at++] = list[j][k];
      }
    }
    return wrap(bytes);
  };
  Buffer.compare = function (a, b) {
    return a.compare(b);
  };

  var proto = Buffer.prototype;
  proto.toString = function (encoding, start, end) {
    var from = start === undefined ? 0 : Math.max(0, start | 0);
    var to = end === undefined ? this.length : Math.min(this.length, end | 0);
    return to <= from ? '' : host.decode(this, encoding === undefined ? 'utf8' : String(encoding), from, to);
  };
  proto.toJSON = function () {
    return { type: 'Buffer', data: Array.prototype.slice.call(this) };
  };
  proto.equals = function (other) {
    return this.compare(other) === 0;
  };
  proto.compare = function (other) {
    var n = Math.min(this.length, other.length);
    for (var i = 0; i < n; i++) {
      if (this[i] !== other[i]) {
        return this[i] < other[i] ? -1 : 1;
      }
    }
    return this.length === other.length ? 0 : this.length < other.length ? -1 : 1;
  };
  proto.slice = proto.subarray = function (start, end) {
    var from = start === undefined ? 0 : start < 0 ? Math.max(0, this.length + start) : Math.min(start, this.length);
    var to = end === undefined ? this.length : end < 0 ? Math.max(0, this.length + end) : Math.min(end, this.length);
    return wrap(new Uint8Array(this.buffer, this.byteOffset + from, Math.max(0, to - from)));
  };
  proto.fill = function (value, offset, end, encoding) {
    var from = offset === undefined ? 0 : offset;
    var to = end === undefined ? this.length : end;
    var pattern = typeof value === 'string' ? host.encode(value, encoding === undefined ? 'utf8' : String(encoding)) : [value & 255];
    if (pattern.length === 0) {
      pattern = [0];
    }
    for (var i = from, k = 0; i < to; i++, k = (k + 1) % pattern.length) {
      this[i] = pattern[k];
    }
    return this;
  };
  proto.write = function (text, offset, length, encoding) {
    if (typeof offset === 'string') {
      encoding = offset;
      offset = 0;
    }
    var bytes = host.encode(String(text), encoding === undefined ? 'utf8' : String(encoding));
    var at = offset === undefined ? 0 : offset;
    var n = Math.min(bytes.length, this.length - at, length === undefined ? bytes.length : length);
    for (var i = 0; i < n; i++) {
      this[at + i] = bytes[i];
    }
    return n;
  };
  proto.copy = function (target, targetStart, sourceStart, sourceEnd) {
    var to = targetStart === undefined ? 0 : targetStart;
    var from = sourceStart === undefined ? 0 : sourceStart;
    var end = sourceEnd === undefined ? this.length : sourceEnd;
    var n = 0;
    for (var i = from; i < end && to + n < target.length; i++, n++) {
      target[to + n] = this[i];
    }
    return n;
  };
  function reader(size, signed, little) {
    return function (offset) {
      var at = offset === undefined ? 0 : offset;
      if (at < 0 || at + size > this.length) {
        throw new RangeError('offset ' + at + ' is out of range for ' + size + ' byte(s) of ' + this.length);
      }
      var value = 0;
      for (var i = 0; i < size; i++) {
        value = value * 256 + this[little ? at + size - 1 - i : at + i];
      }
      if (signed && value >= Math.pow(2, 8 * size - 1)) {
        value -= Math.pow(2, 8 * size);
      }
      return value;
    };
  }
  function writer(size, little) {
    return function (value, offset) {
      var at = offset === undefined ? 0 : offset;
      if (at < 0 || at + size > this.length) {
        throw new RangeError('offset ' + at + ' is out of range for ' + size + ' byte(s) of ' + this.length);
      }
      var v = value < 0 ? value + Math.pow(2, 8 * size) : value;
      for (var i = 0; i < size; i++) {
        this[little ? at + i : at + size - 1 - i] = v % 256;
        v = Math.floor(v / 256);
      }
      return at + size;
    };
  }
  proto.readUInt8 = proto.readUint8 = reader(1, false, false);
  proto.readInt8 = reader(1, true, false);
  proto.readUInt16BE = proto.readUint16BE = reader(2, false, false);
  proto.readUInt16LE = proto.readUint16LE = reader(2, false, true);
  proto.readInt16BE = reader(2, true, false);
  proto.readInt16LE = reader(2, true, true);
  proto.readUInt32BE = proto.readUint32BE = reader(4, false, false);
  proto.readUInt32LE = proto.readUint32LE = reader(4, false, true);
  proto.readInt32BE = reader(4, true, false);
  proto.readInt32LE = reader(4, true, true);
  proto.writeUInt8 = proto.writeUint8 = writer(1, false);
  proto.writeInt8 = writer(1, false);
  proto.writeUInt16BE = proto.writeUint16BE = writer(2, false);
  proto.writeUInt16LE = proto.writeUint16LE = writer(2, true);
  proto.writeInt16BE = writer(2, false);
  proto.writeInt16LE = writer(2, true);
  proto.writeUInt32BE = proto.writeUint32BE = writer(4, false);
  proto.writeUInt32LE = proto.writeUint32LE = writer(4, true);
  proto.writeInt32BE = writer(4, false);
  proto.writeInt32LE = writer(4, true);
  global.Buffer = Buffer;

  // ---- console: the node's log -----------------------------------------------------------------
  function text(args) {
    var parts = [];
    for (var i = 0; i < args.length; i++) {
      var value = args[i];
      if (typeof value === 'string') {
        parts.push(value);
      } else if (value instanceof Error || typeof value !== 'object' || value === null) {
        parts.push(String(value));
      } else {
        try {
          parts.push(JSON.stringify(value));
        } catch (circular) {
          parts.push(String(value));
        }
      }
    }
    return parts.join(' ');
  }
  global.console = {
    log: function () { host.log(text(arguments)); },
    info: function () { host.log(text(arguments)); },
    debug: function () { host.log(text(arguments)); },
    trace: function () { host.log(text(arguments)); },
    warn: function () { host.warn(text(arguments)); },
    error: function () { host.error(text(arguments)); }
  };

  // ---- RED.util: Node-RED's message helpers ----------------------------------------------------
  // Node-RED's normalisePropertyExpression: a.b, a["b c"], a[0], a['b'].c; "msg." first is dropped
  function parsePath(expression) {
    var path = String(expression);
    if (path.indexOf('msg.') === 0) {
      path = path.substring(4);
    }
    var parts = [];
    var current = '';
    var i = 0;
    function invalid() {
      return new Error('Invalid property expression: ' + expression);
    }
    while (i < path.length) {
      var c = path.charAt(i);
      if (c === '.') {
        if (current === '') {
          throw invalid();
        }
        parts.push(current);
        current = '';
        i++;
        if (i === path.length) {
          throw invalid();
        }
      } else if (c === '[') {
        if (current !== '') {
          parts.push(current);
          current = '';
        } else if (parts.length === 0) {
          throw invalid();
        }
        var close = path.indexOf(']', i);
        if (close < 0) {
          throw invalid();
        }
        var inside = path.substring(i + 1, close).trim();
        var quote = inside.charAt(0);
        if ((quote === '"' || quote === "'") && inside.charAt(inside.length - 1) === quote && inside.length >= 2) {
          parts.push(inside.substring(1, inside.length - 1));
        } else if (/^\d+$/.test(inside)) {
          parts.push(parseInt(inside, 10));
        } else {
          throw invalid();
        }
        i = close + 1;
        if (path.charAt(i) === '.') {
          i++;
        }
      } else {
        current += c;
        i++;
      }
    }
    if (current !== '') {
      parts.push(current);
    }
    if (parts.length === 0) {
      throw invalid();
    }
    return parts;
  }
  function getMessageProperty(msg, expression) {
    var parts = parsePath(expression);
    var value = msg;
    for (var i = 0; i < parts.length; i++) {
      if (value === null || value === undefined) {
        return undefined;
      }
      value = value[parts[i]];
    }
    return value;
  }
  function setMessageProperty(msg, expression, value, createMissing) {
    if (createMissing === undefined) {
      createMissing = value !== undefined;
    }
    var parts = parsePath(expression);
    var target = msg;
    for (var i = 0; i < parts.length - 1; i++) {
      var key = parts[i];
      if (target[key] === undefined || target[key] === null) {
        if (!createMissing) {
          return false;
        }
        target[key] = typeof parts[i + 1] === 'number' ? [] : {};
      }
      target = target[key];
      if (typeof target !== 'object' && typeof target !== 'function') {
        return false;
      }
    }
    var last = parts[parts.length - 1];
    if (value === undefined) {
      delete target[last];
    } else {
      target[last] = value;
    }
    return true;
  }
  function clone(value) {
    if (value === null || typeof value !== 'object') {
      return value;
    }
    if (value instanceof Buffer) {
      return Buffer.from(value);
    }
    if (value instanceof Date) {
      return new Date(value.getTime());
    }
    if (Array.isArray(value)) {
      return value.map(clone);
    }
    var copy = {};
    var keys = Object.keys(value);
    for (var i = 0; i < keys.length; i++) {
      copy[keys[i]] = clone(value[keys[i]]);
    }
    return copy;
  }
  global.RED = {
    util: {
      cloneMessage: clone,
      getMessageProperty: getMessageProperty,
      setMessageProperty: setMessageProperty,
      generateId: function () { return host.id(); },
      compareObjects: function (a, b) { return JSON.stringify(a) === JSON.stringify(b); },
      ensureString: function (value) {
        return typeof value === 'string' ? value : value instanceof Buffer ? value.toString() : JSON.stringify(value);
      },
      ensureBuffer: function (value) {
        return value instanceof Buffer ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
      }
    }
  };

  // ---- async functions: what AsyncTransform rewrites them into ------------------------------
  // Runs a generator as an async function: each value it yields is awaited (a Promise, a thenable
  // or a plain value), it resumes with the value or has the rejection thrown in, and the Promise
  // returned settles with what it returns or throws.
  // (Rhino's generator functions lack apply: Function.prototype's is borrowed.)
  var applyFunction = Function.prototype.apply;
  Object.defineProperty(global, '__z8async', {
    value: function (generator, self, args) {
      return new Promise(function (resolve, reject) {
        var it = applyFunction.call(generator, self, args || []);
        function step(method, value) {
          var result;
          try {
            result = it[method](value);
          } catch (e) {
            reject(e);
            return;
          }
          if (result.done) {
            resolve(result.value);
            return;
          }
          Promise.resolve(result.value).then(
            function (v) { step('next', v); },
            function (e) { step('throw', e); });
        }
        step('next', undefined);
      });
    },
    writable: false,
    enumerable: false,
    configurable: false
  });
})
