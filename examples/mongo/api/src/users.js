const User = require('./models/user');

async function greeting(email) {
  const user = await User.findOne({ email }).select('profile.nick');
  return `Hello, ${user.profile.nick}!`;
}

module.exports = { greeting };
