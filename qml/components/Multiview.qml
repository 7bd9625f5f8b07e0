// Every source live, with its number key, tally, state and meter; under
// each, two rows: its mute, 监听 (PFL on the control room's monitor, when
// the show has one) and gain, or (取景 pressed) its framing: the kept area
// drawn over the picture, a click to centre it, a zoom slider and a reset;
// then 取景 and, for a remote guest's slot (their name on the label), 接入
// to take them from the green room, 退回 to send them back, 对讲 to talk
// to them when the show has a talkback microphone, 邀请/提示 for an
// invitation link and a cue to their page, 断开 to end their session.
// Short of room, the buttons narrow (ButtonRow) rather than run past the
// tile. The grid takes the column count that gives the largest pictures
// (2–6 sources, or more).
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Yishiting 1.0

Item {
    id: view
    property var sources: []
    property var levels: ({})
    property var tallyOf: function(id) { return "" }
    // The control room's monitor (status audio.monitor), or null: none.
    property var monitor: null
    signal chosen(int index)

    // The number of columns that gives the largest pictures in this space.
    readonly property int columns: {
        let best = 1
        let bestWidth = 0
        for (let c = 1; c <= Math.max(1, sources.length); ++c)
            if (fit(c).width > bestWidth) {
                best = c
                bestWidth = fit(c).width
            }
        return best
    }
    readonly property real tileWidth: fit(columns).width
    readonly property real tileHeight: fit(columns).height

    // A 16:9 picture plus its 24 px label, and the two 26 px rows of
    // controls under it (4 px apart).
    function fit(columns) {
        const rows = Math.max(1, Math.ceil(sources.length / columns))
        const cellWidth = (width - (columns - 1) * 8) / columns
        const cellHeight = (height - (rows - 1) * 8) / rows - 64
        const pictureWidth = Math.max(0, Math.min(cellWidth, (cellHeight - 24) * 16 / 9))
        return { width: pictureWidth, height: pictureWidth * 9 / 16 + 24 }
    }

    GuestDialog { id: guestDialog }

    Grid {
        anchors.horizontalCenter: parent.horizontalCenter
        columns: view.columns
        spacing: 8
        // By count: a new status (every second) updates the tiles in place
        // instead of making new ones (and new previews).
        Repeater {
            model: view.sources.length
            delegate: Column {
                required property int index
                readonly property var modelData: view.sources[index] || ({})
                spacing: 4
                VideoTile {
                    objectName: "source-" + modelData.id
                    width: view.tileWidth
                    height: view.tileHeight
                    tap: "source:" + modelData.id
                    readonly property var guest: modelData.webrtc || null
                    label: guest && guest.guest ? modelData.label + " · " + guest.guest : modelData.label
                    // A guest's slot says more than its source: the green room.
                    sourceState: guest && guest.state === "green_room" ? "green_room"
                                 : guest && guest.state === "waiting" ? "waiting" : modelData.state
                    keyHint: index < 9 ? String(index + 1) : ""
                    tally: view.tallyOf(modelData.id)
                    level: view.levels[modelData.id] || null
                    onActivated: view.chosen(index)
                    FramingOverlay {
                        objectName: "framing-" + modelData.id
                        visible: framingMode.checked
                        anchors.fill: parent
                        anchors.margins: parent.border.width
                        anchors.bottomMargin: parent.labelHeight
                        framing: modelData.framing || ({})
                        onFramingRequested: function(zoom, x, y) {
                            studio.send({ type: "framing.set", source: modelData.id, zoom: zoom,
                                          center: [Math.round(x * 100) / 100, Math.round(y * 100) / 100] })
                        }
                    }
                }
                // The sound: mute, 监听 and the fader; 取景 pressed, the
                // framing's zoom instead.
                RowLayout {
                    id: soundRow
                    // Room for the gain in dB beside the buttons and a fader
                    // of at least 40 px; a narrower tile (six sources on a
                    // laptop) shows the fader's position alone.
                    readonly property bool roomy: soundButtons.naturalWidth + 40 + 48 + 2 * 6 <= width
                    width: Math.floor(view.tileWidth)  // a layout rounds its items' widths
                    height: 26
                    spacing: 6
                    ButtonRow {
                        id: soundButtons
                        // Its buttons narrow only when even a 40 px fader would not fit beside them.
                        Layout.preferredWidth: Math.min(naturalWidth, Math.max(0, view.tileWidth - 40 - 6))
                        spacing: 6
                        visible: !framingMode.checked
                        ConsoleButton {
                            objectName: "mute-" + modelData.id
                            text: modelData.muted ? qsTr("已静音") : qsTr("静音")
                            checkable: true
                            checked: modelData.muted
                            tint: Style.warning
                            implicitHeight: 26
                            onClicked: studio.send({ type: "audio.set", source: modelData.id, muted: !modelData.muted })
                        }
                        ConsoleButton {
                            // PFL: this source alone on the control room's
                            // monitor, before its fader (a guest in the green
                            // room, a microphone not yet open); again: the program.
                            readonly property bool listened: view.monitor !== null
                                                             && view.monitor.listening === modelData.id
                            objectName: "listen-" + modelData.id
                            visible: view.monitor !== null
                            text: qsTr("监听")
                            checkable: true
                            checked: listened
                            tint: Style.accent
                            implicitHeight: 26
                            onClicked: studio.send({ type: "audio.listen",
                                                     source: listened ? null : modelData.id })
                        }
                    }
                    Slider {
                        objectName: "framing-zoom-" + modelData.id
                        visible: framingMode.checked
                        Layout.fillWidth: true
                        Layout.minimumWidth: 40
                        from: 1
                        to: 4
                        stepSize: 0.1
                        value: modelData.framing && modelData.framing.zoom ? modelData.framing.zoom : 1
                        focusPolicy: Qt.TabFocus
                        onMoved: studio.send({ type: "framing.set", source: modelData.id,
                                               zoom: Math.round(value * 10) / 10 })
                    }
                    ConsoleButton {
                        visible: framingMode.checked
                        text: qsTr("复位")
                        implicitHeight: 26
                        onClicked: studio.send({ type: "framing.set", source: modelData.id, reset: true })
                    }
                    Slider {
                        id: gain
                        objectName: "gain-" + modelData.id
                        visible: !framingMode.checked
                        Layout.fillWidth: true
                        Layout.minimumWidth: 40
                        from: 0
                        to: 2
                        value: modelData.gain
                        focusPolicy: Qt.TabFocus
                        onMoved: studio.send({ type: "audio.set", source: modelData.id, gain: Math.round(value * 100) / 100 })
                    }
                    Text {
                        text: framingMode.checked
                              ? "×" + (modelData.framing && modelData.framing.zoom ? modelData.framing.zoom : 1).toFixed(1)
                              : modelData.gain > 0 ? (20 * Math.log(modelData.gain) / Math.LN10).toFixed(1) + " dB" : "-∞"
                        textFormat: Text.PlainText
                        color: Style.muted
                        font.family: Style.family
                        font.pixelSize: Style.small
                        horizontalAlignment: Text.AlignRight
                        visible: framingMode.checked || soundRow.roomy
                        Layout.preferredWidth: 48
                    }
                }
                // The picture's framing, and a remote guest's slot: 接入 /
                // 退回, 对讲, 邀请/提示, 断开. One row that narrows its
                // buttons rather than running past the tile.
                ButtonRow {
                    objectName: "tile-actions-" + modelData.id
                    width: view.tileWidth
                    height: 26
                    spacing: 6
                    ConsoleButton {
                        id: framingMode
                        objectName: "framing-mode-" + modelData.id
                        text: qsTr("取景")
                        checkable: true
                        tint: Style.accent
                        implicitHeight: 26
                    }
                    ConsoleButton {
                        readonly property var guest: modelData.webrtc || null
                        objectName: "guest-admit-" + modelData.id
                        visible: guest !== null && guest.kind === "guest"
                        text: guest && guest.admitted ? qsTr("退回") : qsTr("接入")
                        tint: guest && guest.admitted ? Style.warning : Style.accent
                        implicitHeight: 26
                        onClicked: studio.send({ type: guest.admitted ? "guests.hold" : "guests.admit",
                                                 source: modelData.id })
                    }
                    ConsoleButton {
                        // Talkback (IFB): the producer's talkback microphone
                        // into this guest's return, the rest of it dipped.
                        readonly property var guest: modelData.webrtc || null
                        objectName: "guest-talk-" + modelData.id
                        visible: guest !== null && guest.kind !== undefined
                                 && view.sources.some(function(s) { return s.talkback === true })
                        text: qsTr("对讲")
                        checkable: true
                        checked: guest !== null && guest.talkback === true
                        tint: Style.warning
                        implicitHeight: 26
                        onClicked: studio.send({ type: "guests.talk", source: modelData.id,
                                                 on: !(guest && guest.talkback) })
                    }
                    ConsoleButton {
                        // The slot's invitation link and cue to its guest.
                        readonly property var guest: modelData.webrtc || null
                        objectName: "guest-panel-" + modelData.id
                        visible: guest !== null
                        text: qsTr("邀请/提示")
                        implicitHeight: 26
                        onClicked: guestDialog.openFor(modelData)
                    }
                    ConsoleButton {
                        readonly property var guest: modelData.webrtc || null
                        objectName: "guest-end-" + modelData.id
                        visible: guest !== null && guest.kind !== undefined
                        text: qsTr("断开")
                        implicitHeight: 26
                        onClicked: studio.send({ type: "guests.end", source: modelData.id })
                    }
                }
            }
        }
    }
}
