import Widget from './routes/widget.js'

Widget().then((html) => {
  document.body.innerHTML = html
})
