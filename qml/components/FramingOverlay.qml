// A source's framing over its picture in the multiview: the part a
// full-frame tile keeps, outlined, the rest dimmed. A click centres the
// framing there, the wheel zooms in and out (1…4). The program, the
// preview and every tile the source is in follow at once: the preview
// monitor shows the result before it goes on air.
import QtQuick
import Yishiting 1.0

Item {
    id: overlay
    // {"zoom","center":[x,y]} or {"crop":[x,y,w,h]}, as the status has it.
    property var framing: ({})
    signal framingRequested(real zoom, real centerX, real centerY)

    readonly property real zoom: framing.zoom || 1
    readonly property var center: framing.center || [0.5, 0.5]
    // The kept area, in this item's pixels (what framedRegion() keeps for a
    // 16:9 tile).
    readonly property rect area: {
        if (framing.crop) {
            const c = framing.crop
            return Qt.rect(c[0] * width, c[1] * height, c[2] * width, c[3] * height)
        }
        const w = width / zoom, h = height / zoom
        const x = Math.max(0, Math.min(width - w, center[0] * width - w / 2))
        const y = Math.max(0, Math.min(height - h, center[1] * height - h / 2))
        return Qt.rect(x, y, w, h)
    }

    Repeater {
        // The dimmed outside: above, below, left, right of the area.
        model: [Qt.rect(0, 0, overlay.width, overlay.area.y),
                Qt.rect(0, overlay.area.y + overlay.area.height, overlay.width,
                        overlay.height - overlay.area.y - overlay.area.height),
                Qt.rect(0, overlay.area.y, overlay.area.x, overlay.area.height),
                Qt.rect(overlay.area.x + overlay.area.width, overlay.area.y,
                        overlay.width - overlay.area.x - overlay.area.width, overlay.area.height)]
        delegate: Rectangle {
            required property rect modelData
            x: modelData.x
            y: modelData.y
            width: modelData.width
            height: modelData.height
            color: "#99000000"
        }
    }
    Rectangle {
        objectName: overlay.objectName + "-area"
        x: overlay.area.x
        y: overlay.area.y
        width: overlay.area.width
        height: overlay.area.height
        color: "transparent"
        border.color: Style.accent
        border.width: 2
    }
    MouseArea {
        anchors.fill: parent
        onClicked: function(mouse) {
            overlay.framingRequested(overlay.zoom, mouse.x / overlay.width, mouse.y / overlay.height)
        }
        onWheel: function(wheel) {
            const zoom = Math.max(1, Math.min(4, overlay.zoom + (wheel.angleDelta.y > 0 ? 0.1 : -0.1)))
            overlay.framingRequested(Math.round(zoom * 10) / 10, overlay.center[0], overlay.center[1])
        }
    }
}
