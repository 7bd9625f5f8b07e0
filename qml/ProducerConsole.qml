// The producer's control room: multiview with tallies, preview and program,
// the switcher, audio, questions, graphics, the typist's panel,
// destinations, recording, the show clock, alerts and cues to the host.
//
// Keys (never while typing in a field):
//   1…9          source into preview's chosen tile (Shift: into the second)
//   Alt+1…6      choose the tile the number keys fill (panel layouts)
//   F5 … F10     single / side-by-side / picture-in-picture / grid /
//                host and guests / row of three into preview
//   Space        Cut: preview on air        Enter   Auto: a fade
//   Ctrl+1…4     questions / graphics / typist / destinations tab (Tab moves
//                through a desk's controls, Space or Enter presses a button)
//   Ctrl+Q       the questions list (A, R, E, M, O, F, D, U there)
//   Ctrl+K       the cue line
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import QtQuick.Window
import Yishiting 1.0
import "components"

ApplicationWindow {
    id: window
    objectName: "producerConsole"
    title: qsTr("议事厅演播室 · 导播台 — %1").arg(status.show ? status.show.title : "")
    width: 1600
    height: 900
    minimumWidth: 1280
    minimumHeight: 760
    visible: true
    color: Style.background
    font.family: Style.family

    readonly property var status: studio.status
    readonly property var sources: status.sources || []
    readonly property var program: status.program || ({})
    readonly property var previewScene: status.preview || ({})
    readonly property var recording: status.recording || ({})
    // The keyboard belongs to a field or a button: the global keys wait
    // (a text field takes digits and Enter, a focused button Space).
    readonly property bool typing: activeFocusItem !== null
        && (activeFocusItem.hasOwnProperty("cursorPosition") || activeFocusItem.hasOwnProperty("autoExclusive"))
    readonly property bool live: recording.state === "recording"
        || (status.destinations || []).some(function(d) { return d.enabled && d.state === "live" })
    property bool confirmedEnd: false

    palette.window: Style.panel
    palette.windowText: Style.text
    palette.base: "#0f1216"
    palette.text: Style.text
    palette.button: Style.raised
    palette.buttonText: Style.text
    palette.highlight: Style.accent
    palette.placeholderText: Style.muted

    // The tile the number keys fill in preview (Alt+1…6).
    property int targetTile: 0
    function tallyOf(id) {
        const onAir = program.tiles || []
        const next = previewScene.tiles || []
        return onAir.indexOf(id) >= 0 ? "program" : next.indexOf(id) >= 0 ? "preview" : ""
    }
    // A source into a tile of preview: what was there takes the source's old
    // place (the studio keeps every source once in the order of tiles).
    function previewSource(index, tile) {
        if (index >= sources.length)
            return
        studio.send({ type: "preview.set", tile: tile, source: sources[index].id })
    }
    function previewLayout(layout) {
        studio.send({ type: "preview.set", layout: layout })
    }
    // "1 王芳 · 2 张三 …": who is in which tile of preview, the chosen tile
    // marked, for the panel layouts (the picture alone does not number them).
    function tilesNote(scene) {
        const tiles = scene.tiles || []
        if (tiles.length < 3)
            return ""
        return tiles.map(function(id, i) {
            return (i === targetTile ? "▸" : "") + (i + 1) + " " + labelOf(id)
        }).join(" · ")
    }
    function labelOf(id) {
        for (let i = 0; i < sources.length; ++i)
            if (sources[i].id === id)
                return sources[i].label || id
        return id
    }
    function cut() { studio.send({ type: "program.take", transition: "cut" }) }
    function autoTake() { studio.send({ type: "program.take", transition: "fade", duration_ms: switcher.fadeMs }) }

    component DeskTab: TabButton {
        property int index
        font.family: Style.family
        font.pixelSize: Style.normal
        focusPolicy: Qt.NoFocus
        contentItem: Text {
            text: parent.text
            textFormat: Text.PlainText
            font: parent.font
            color: tabs.currentIndex === parent.index ? Style.text : Style.muted
            horizontalAlignment: Text.AlignHCenter
        }
        background: Rectangle {
            color: tabs.currentIndex === parent.index ? Style.raised : "transparent"
            radius: 4
        }
    }

    // Global keys.
    Repeater {
        model: 9
        delegate: Item {
            required property int index
            Shortcut {
                sequence: String(index + 1)
                enabled: !window.typing
                onActivated: window.previewSource(index, window.targetTile)
            }
            Shortcut {
                sequence: "Shift+" + (index + 1)
                enabled: !window.typing
                onActivated: window.previewSource(index, 1)
            }
            Shortcut {
                sequence: "Alt+" + (index + 1)
                enabled: !window.typing && index < 6
                onActivated: window.targetTile = index
            }
        }
    }
    Shortcut { sequence: "F5"; enabled: !window.typing; onActivated: window.previewLayout("single") }
    Shortcut { sequence: "F6"; enabled: !window.typing; onActivated: window.previewLayout("side_by_side") }
    Shortcut { sequence: "F7"; enabled: !window.typing; onActivated: window.previewLayout("pip") }
    Shortcut { sequence: "F8"; enabled: !window.typing; onActivated: window.previewLayout("grid") }
    Shortcut { sequence: "F9"; enabled: !window.typing; onActivated: window.previewLayout("host_plus") }
    Shortcut { sequence: "F10"; enabled: !window.typing; onActivated: window.previewLayout("row3") }
    Shortcut { sequence: "Space"; enabled: !window.typing; onActivated: window.cut() }
    Shortcut { sequences: ["Return", "Enter"]; enabled: !window.typing; onActivated: window.autoTake() }
    Shortcut { sequence: "Ctrl+1"; onActivated: { tabs.currentIndex = 0; questions.forceActiveFocus() } }
    Shortcut { sequence: "Ctrl+2"; onActivated: { tabs.currentIndex = 1; graphics.focusFirst() } }
    Shortcut { sequence: "Ctrl+3"; onActivated: { tabs.currentIndex = 2; transcript.forceActiveFocus() } }
    Shortcut { sequence: "Ctrl+4"; onActivated: { tabs.currentIndex = 3; destinations.focusFirst() } }
    Shortcut { sequence: "Ctrl+5"; onActivated: { tabs.currentIndex = 4; followupPanel.focusFirst() } }
    Shortcut { sequence: "Ctrl+Q"; onActivated: { tabs.currentIndex = 0; questions.forceActiveFocus() } }
    Shortcut { sequence: "Ctrl+K"; onActivated: cueBar.focusInput() }
    // Escape: the keyboard back to the switcher (a plain item that takes no
    // keys of its own, so the global ones work again).
    Shortcut { sequence: "Escape"; enabled: window.typing; onActivated: switcherKeys.forceActiveFocus() }
    Item { id: switcherKeys; objectName: "switcherKeys" }
    // Enter on a focused button presses it (Basic buttons take only Space).
    Shortcut {
        sequences: ["Return", "Enter"]
        enabled: window.activeFocusItem !== null && window.activeFocusItem.hasOwnProperty("autoExclusive")
        onActivated: window.activeFocusItem.clicked()
    }

    onClosing: function(close) {
        if (window.live && !window.confirmedEnd) {
            close.accepted = false
            endDialog.open()
            return
        }
        consoleApp.endShow()
    }

    ConsoleDialog {
        id: endDialog
        objectName: "endShowDialog"
        title: qsTr("结束直播？")
        modal: true
        anchors.centerIn: parent
        standardButtons: Dialog.Yes | Dialog.No
        Text {
            text: qsTr("节目正在直播：结束后所有目的地停止推流，录像收尾并生成节目包。")
            textFormat: Text.PlainText
            color: Style.text
            font.family: Style.family
            wrapMode: Text.Wrap
            width: 420
        }
        onAccepted: {
            window.confirmedEnd = true
            consoleApp.endShow()
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 8
        spacing: 8

        TopBar {
            Layout.fillWidth: true
            status: window.status
        }
        AlertBar {
            Layout.fillWidth: true
            alerts: studio.alerts
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 8

            // Pictures and switching: preview and program side by side at
            // 16:9, the switcher under them, the multiview in what is left.
            Item {
                id: pictures
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredWidth: 3
                readonly property real bigWidth: (width - 8) / 2
                readonly property real bigHeight: bigWidth * 9 / 16 + 30
                VideoTile {
                    objectName: "previewView"
                    width: pictures.bigWidth
                    height: pictures.bigHeight
                    tap: "preview"
                    label: qsTr("预监 PVW")
                    tally: "preview"
                    sourceState: ""
                    large: true
                    note: window.tilesNote(window.previewScene)
                }
                VideoTile {
                    objectName: "programView"
                    x: pictures.bigWidth + 8
                    width: pictures.bigWidth
                    height: pictures.bigHeight
                    tap: "program"
                    label: qsTr("播出 PGM")
                    tally: "program"
                    sourceState: ""
                    large: true
                    level: studio.levels.program || null
                    // EBU R128: what a partner's meter reads of the program.
                    readonly property var loudness: studio.status.audio ? studio.status.audio.loudness : null
                    note: loudness ? qsTr("短时 %1 · 整体 %2 LUFS · 真峰值 %3 dBTP")
                                     .arg(loudness.short_term.toFixed(1)).arg(loudness.integrated.toFixed(1))
                                     .arg(loudness.true_peak.toFixed(1)) : ""
                }
                SwitcherBar {
                    id: switcher
                    y: pictures.bigHeight + 8
                    width: pictures.width
                    preview: window.previewScene
                    program: window.program
                    onLayoutChosen: function(layout) { window.previewLayout(layout) }
                    onCut: window.cut()
                    onAuto: window.autoTake()
                }
                Multiview {
                    y: switcher.y + switcher.height + 8
                    width: pictures.width
                    height: pictures.height - y
                    sources: window.sources
                    levels: studio.levels
                    tallyOf: window.tallyOf
                    monitor: studio.status.audio && studio.status.audio.monitor
                             ? studio.status.audio.monitor : null
                    onChosen: function(index) { window.previewSource(index, window.targetTile) }
                }
            }

            // Desks.
            Rectangle {
                Layout.fillHeight: true
                Layout.preferredWidth: 2
                Layout.fillWidth: true
                color: Style.panel
                radius: Style.radius
                border.color: Style.line
                ColumnLayout {
                    anchors.fill: parent
                    anchors.margins: 4
                    spacing: 4
                    TabBar {
                        id: tabs
                        Layout.fillWidth: true
                        font.family: Style.family
                        background: Rectangle { color: "transparent" }
                        DeskTab { index: 0; text: qsTr("提问 %1").arg((studio.pending || []).length) }
                        DeskTab { index: 1; text: qsTr("包装") }
                        DeskTab { index: 2; text: qsTr("速记") }
                        DeskTab { index: 3; text: qsTr("推流") }
                        DeskTab {
                            index: 4
                            text: (studio.status.followup && studio.status.followup.overdue > 0)
                                  ? qsTr("跟踪 逾期%1").arg(studio.status.followup.overdue) : qsTr("跟踪")
                        }
                    }
                    StackLayout {
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        currentIndex: tabs.currentIndex
                        QuestionsPanel { id: questions; objectName: "questionsPanel" }
                        GraphicsPanel { id: graphics; objectName: "graphicsPanel" }
                        TranscriptPanel { id: transcript; objectName: "transcriptPanel" }
                        DestinationsPanel { id: destinations; objectName: "destinationsPanel" }
                        FollowupPanel { id: followupPanel; objectName: "followupPanel" }
                    }
                }
            }
        }

        CueBar {
            id: cueBar
            Layout.fillWidth: true
        }
    }

    Rectangle {
        anchors.bottom: parent.bottom
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottomMargin: 64
        visible: toast.text !== ""
        color: "#e0301b1d"
        radius: Style.radius
        width: toast.implicitWidth + 28
        height: toast.implicitHeight + 14
        Text {
            id: toast
            textFormat: Text.PlainText
            anchors.centerIn: parent
            color: "white"
            font.family: Style.family
            font.pixelSize: Style.normal
        }
        Timer {
            id: toastTimer
            interval: 4000
            onTriggered: toast.text = ""
        }
        Connections {
            target: studio
            function onFailed(id, code, message) {
                // The server's messages are English; the codes that need a
                // producer to act are said here in the console's language.
                const why = code === "key_required" ? qsTr("换了推流服务器，请重新填写推流密钥")
                          : (message || code)
                toast.text = qsTr("未执行：%1").arg(why)
                toastTimer.restart()
            }
        }
    }
}
