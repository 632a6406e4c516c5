'use strict';
module.exports = require('./default-dist').setup;
