// The last minute of a destination's bitrate.
import QtQuick
import Yishiting 1.0

Canvas {
    id: spark
    property var samples: []
    property color colour: Style.preview
    onSamplesChanged: requestPaint()
    onPaint: {
        const ctx = getContext("2d")
        ctx.reset()
        if (!samples || samples.length < 2)
            return
        const top = Math.max(1, Math.max.apply(null, samples) * 1.15)
        ctx.strokeStyle = colour
        ctx.lineWidth = 1.5
        ctx.beginPath()
        for (let i = 0; i < samples.length; ++i) {
            const x = i * width / (samples.length - 1)
            const y = height - samples[i] / top * height
            if (i === 0)
                ctx.moveTo(x, y)
            else
                ctx.lineTo(x, y)
        }
        ctx.stroke()
    }
}
