const mongoose = require('mongoose');

const userSchema = new mongoose.Schema({
  email: { type: String, required: true, unique: true },
  profile: {
    nick: String,
    bio: String,
  },
});

module.exports = mongoose.model('User', userSchema);
